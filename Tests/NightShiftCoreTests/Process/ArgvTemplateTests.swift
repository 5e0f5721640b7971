import XCTest
@testable import NightShiftCore

final class ArgvTemplateTests: XCTestCase {
    let values = ["ip": "192.168.1.100", "user": "backup", "name": "Backup1", "epoch": "1732600000"]

    func testSubstitutesPerElement() throws {
        XCTAssertEqual(try ArgvTemplate.substitute(["ssh", "{user}@{ip}", "systemctl", "poweroff"], values: values),
                       ["ssh", "backup@192.168.1.100", "systemctl", "poweroff"])
        XCTAssertEqual(try ArgvTemplate.substitute(["date", "-s", "@{epoch}", "{name}{name}"], values: values),
                       ["date", "-s", "@1732600000", "Backup1Backup1"])
    }

    func testHostileValuesStayOneLiteralElement() throws {
        let hostile = ["ip": "x; rm -rf /", "user": "$(reboot) `id` \"a b\"\n{ip}"]
        let argv = try ArgvTemplate.substitute(["ssh", "{user}@{ip}", "true"], values: hostile)
        XCTAssertEqual(argv, ["ssh", "$(reboot) `id` \"a b\"\n{ip}@x; rm -rf /", "true"])
        XCTAssertEqual(argv.count, 3)
        // A substituted value is not scanned again: its own "{ip}" stays literal.
        XCTAssertTrue(argv[1].contains("{ip}"))
    }

    func testBraceEscapes() throws {
        XCTAssertEqual(try ArgvTemplate.substitute(["echo", "{{ip}}", "{{{ip}}}", "a}}b{{c"], values: values),
                       ["echo", "{ip}", "{192.168.1.100}", "a}b{c"])
    }

    func testErrorsNameTheProblem() {
        XCTAssertThrowsError(try ArgvTemplate.substitute(["ssh", "{foo}@{ip}"], values: values)) {
            XCTAssertEqual("\($0)", #"unknown placeholder {foo} in "{foo}@{ip}" (known: {epoch}, {ip}, {name}, {user})"#)
        }
        XCTAssertThrowsError(try ArgvTemplate.substitute(["echo", "{ip"], values: values)) {
            XCTAssertEqual("\($0)", #"unclosed { in "{ip" (write {{ for a literal brace)"#)
        }
        XCTAssertThrowsError(try ArgvTemplate.substitute(["echo", "ip}"], values: values)) {
            XCTAssertEqual("\($0)", #"stray } in "ip}" (write }} for a literal brace)"#)
        }
        XCTAssertThrowsError(try ArgvTemplate.substitute(["echo", "{}"], values: values)) {
            XCTAssertEqual("\($0)", #"invalid placeholder {} in "{}" (write {{ and }} for literal braces)"#)
        }
        XCTAssertThrowsError(try ArgvTemplate.substitute(["echo", "{a b}"], values: values))
        XCTAssertThrowsError(try ArgvTemplate.substitute([], values: values)) {
            XCTAssertEqual("\($0)", "empty argv template")
        }
        XCTAssertThrowsError(try ArgvTemplate.substitute(["{x}"], values: [:])) {
            XCTAssertEqual("\($0)", #"unknown placeholder {x} in "{x}" (known: none)"#)
        }
    }

    func testPlaceholdersAndValidation() throws {
        XCTAssertEqual(try ArgvTemplate.placeholders(in: ["ssh", "{user}@{ip}", "{{x}}", "{ip}", "{epoch}"]),
                       ["user", "ip", "epoch"])
        XCTAssertNoThrow(try ArgvTemplate.validate(["ssh", "{user}@{ip}"], known: ["ip", "user", "name", "epoch"]))
        XCTAssertThrowsError(try ArgvTemplate.validate(["ssh", "{usr}@{ip}"], known: ["ip", "user"])) {
            XCTAssertEqual("\($0)", #"unknown placeholder {usr} in "{usr}@{ip}" (known: {ip}, {user})"#)
        }
    }
}

/// `validate` is what `nightshift check` applies to every action (checks.lua calls it through core.check.template).
final class ArgvTemplateValidateTests: XCTestCase {
    func testValidateRefusesWhatSubstituteWould() {
        let known: Set<String> = ["ip", "user"]
        XCTAssertNoThrow(try ArgvTemplate.validate(["ssh", "{user}@{ip}", "{{literal}}"], known: known))
        let bad: [([String], String)] = [
            (["ssh", "{usr}@{ip}"], "unknown placeholder {usr} in \"{usr}@{ip}\" (known: {ip}, {user})"),
            (["echo", "{ip"], "unclosed { in \"{ip\""),
            (["echo", "ip}"], "stray } in \"ip}\""),
            (["echo", "a\u{0}b"], "argv item 2 contains a NUL byte"),
            ([], "empty argv template"),
        ]
        for (argv, message) in bad {
            XCTAssertThrowsError(try ArgvTemplate.validate(argv, known: known), "\(argv)") { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }
}
