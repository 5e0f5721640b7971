/// An action template that cannot be filled in, naming the culprit.
public struct ArgvTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full message, e.g. `unknown placeholder {foo} in "{foo}@x" (known: {ip}, {user})`.
    public let message: String

    /// Creates an error with the given message.
    public init(message: String) { self.message = message }

    /// The message, so `"\(error)"` reads well in logs and error messages.
    public var description: String { message }
}

/// Argv templates for actions (docs/design.md, invariant 6): placeholders are substituted inside each element,
/// so a value can never become a second argument or reach a shell.
///
/// `{name}` is replaced by the value of `name`; `{{` and `}}` are literal braces.
public enum ArgvTemplate {
    /// Substitutes `values` into every element of `template`; throws on an unknown placeholder,
    /// an unclosed `{`, a stray `}` or an empty template.
    public static func substitute(_ template: [String], values: [String: String]) throws -> [String] {
        guard !template.isEmpty else { throw ArgvTemplateError(message: "empty argv template") }
        return try template.map { element in
            try render(element, values: values)
        }
    }

    /// The placeholder names a template uses, in order of first appearance; throws on bad syntax.
    public static func placeholders(in template: [String]) throws -> [String] {
        var seen: [String] = []
        for element in template {
            for piece in try parse(element) {
                if case .placeholder(let name) = piece, !seen.contains(name) { seen.append(name) }
            }
        }
        return seen
    }

    /// Checks a template against the names that will be available, without values, so that
    /// `nightshift check` can report a bad action before anything runs. A NUL byte is refused
    /// too: it would cut the argument short at exec.
    public static func validate(_ template: [String], known: Set<String>) throws {
        guard !template.isEmpty else { throw ArgvTemplateError(message: "empty argv template") }
        for (i, element) in template.enumerated() where element.utf8.contains(0) {
            throw ArgvTemplateError(message: "argv item \(i + 1) contains a NUL byte")
        }
        for element in template {
            for piece in try parse(element) {
                if case .placeholder(let name) = piece, !known.contains(name) {
                    throw unknown(name, element, known)
                }
            }
        }
    }

    private enum Piece: Equatable {
        case text(String)
        case placeholder(String)
    }

    private static func render(_ element: String, values: [String: String]) throws -> String {
        var out = ""
        for piece in try parse(element) {
            switch piece {
            case .text(let text): out += text
            case .placeholder(let name):
                guard let value = values[name] else { throw unknown(name, element, Set(values.keys)) }
                out += value
            }
        }
        return out
    }

    private static func unknown(_ name: String, _ element: String, _ known: Set<String>) -> ArgvTemplateError {
        let list = known.sorted().map { "{\($0)}" }.joined(separator: ", ")
        return ArgvTemplateError(message: "unknown placeholder {\(name)} in \"\(element)\" (known: \(list.isEmpty ? "none" : list))")
    }

    private static func parse(_ element: String) throws -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        var i = element.startIndex
        while i < element.endIndex {
            let c = element[i]
            let next = element.index(after: i)
            if c == "{" {
                if next < element.endIndex, element[next] == "{" {
                    text.append("{")
                    i = element.index(after: next)
                    continue
                }
                guard let close = element[next...].firstIndex(of: "}") else {
                    throw ArgvTemplateError(message: "unclosed { in \"\(element)\" (write {{ for a literal brace)")
                }
                let name = String(element[next..<close])
                guard isIdentifier(name) else {
                    throw ArgvTemplateError(message: "invalid placeholder {\(name)} in \"\(element)\" (write {{ and }} for literal braces)")
                }
                if !text.isEmpty { pieces.append(.text(text)); text = "" }
                pieces.append(.placeholder(name))
                i = element.index(after: close)
            } else if c == "}" {
                guard next < element.endIndex, element[next] == "}" else {
                    throw ArgvTemplateError(message: "stray } in \"\(element)\" (write }} for a literal brace)")
                }
                text.append("}")
                i = element.index(after: next)
            } else {
                text.append(c)
                i = next
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
