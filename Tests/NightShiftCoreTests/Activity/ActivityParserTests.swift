import NightShiftCore
import XCTest

/// The parsers behind the busy checks, on text the programs really print (Samba 4.17.12,
/// systemd 249/255, coreutils `who`, iproute2 `ss`); the decisions stay in busy.lua.
final class ActivityParserTests: XCTestCase {
    /// Samba 4.17.12 on Debian 12, one client with one file open (no --json support asked).
    static let samba417 = """

        Samba version 4.17.12-Debian
        PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing              
        ----------------------------------------------------------------------------------------------------------------------------------------
        20203   nobody       nogroup      127.0.0.1 (ipv4:127.0.0.1:34924)          SMB3_11           -                    -                    

        Service      pid     Machine       Connected at                     Encryption   Signing     
        ---------------------------------------------------------------------------------------------
        share        20203   127.0.0.1     Wed Dec  2 04:42:15 2026 UTC     -            -           


        Locked files:
        Pid          User(ID)   DenyMode   Access      R/W        Oplock           SharePath   Name   Time
        --------------------------------------------------------------------------------------------------
        20203        65534      DENY_NONE  0x120089    RDONLY     NONE             /tmp/smbx/share   big.bin   Wed Dec  2 04:42:15 2026

        """

    func testSambaTablesGiveSessionsAndOpenFiles() {
        let s = SambaStatus.parse(tables: Self.samba417)
        XCTAssertEqual(s.sessions, [.init(user: "nobody", machine: "127.0.0.1", dialect: "SMB3_11")])
        XCTAssertEqual(s.openFiles, ["/tmp/smbx/share/big.bin"])
    }

    func testSambaTablesWithSpacesInPathsAndOldDialects() {
        let text = """
            PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing
            ----------------------------------------------------------------------------------------------------------------------------------------
            4242    alice        alice        192.168.1.20 (ipv4:192.168.1.20:51234)    SMB3_11           -                    partial(AES-128-CMAC)
            4243    bob          staff        192.168.1.30 (ipv4:192.168.1.30:40000)    NT1               -                    -

            Locked files:
            Pid          User(ID)   DenyMode   Access      R/W        Oplock           SharePath   Name   Time
            --------------------------------------------------------------------------------------------------
            4242         1000       DENY_NONE  0x120089    RDONLY     LEASE(RWH)       /srv/share/   My Report.odt   Mon Jan  1 10:00:05 2024
            4243         1001       DENY_WRITE 0x12019f    RDWR       NONE             /srv/Team Files   a.txt   Tue Feb 13 08:01:00 2024
            4244         1002       DENY_NONE  0x80        strange row
            """
        let s = SambaStatus.parse(tables: text)
        XCTAssertEqual(s.sessions.map(\.user), ["alice", "bob"])
        XCTAssertEqual(s.sessions.map(\.dialect), ["SMB3_11", "NT1"])
        XCTAssertEqual(s.openFiles, ["/srv/share/My Report.odt", "/srv/Team Files/a.txt", "?"])
    }

    func testAnIdleSambaHasNothing() {
        let idle = """
            Samba version 4.17.12-Debian
            PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing
            ----------------------------------------------------------------------------------------------------------------------------------------

            Service      pid     Machine       Connected at                     Encryption   Signing
            ---------------------------------------------------------------------------------------------

            No locked files
            """
        XCTAssertEqual(SambaStatus.parse(tables: idle), SambaStatus(sessions: [], shares: [], openFiles: []))
        XCTAssertEqual(SambaStatus.parse(tables: ""), SambaStatus(sessions: [], shares: [], openFiles: []))
    }

    func testLoginctlSessionsOldAndNewColumns() {
        // systemd 249: SESSION UID USER SEAT TTY; systemd 255 adds LEADER CLASS TTY IDLE SINCE.
        let v249 = "      2 1000 alice seat0 tty2\n     c1  120 gdm   seat0 tty1\n"
        let v255 = "      3 1000 alice seat0 1466 user    tty2 no   -\n     12 1001 bob   -     4711 user    pts/1 no  -\n"
        XCTAssertEqual(LoginList.users(loginctl: v249), ["alice", "gdm"])
        XCTAssertEqual(LoginList.users(loginctl: v255), ["alice", "bob"])
        XCTAssertEqual(LoginList.users(loginctl: ""), [])
    }

    func testWhoLines() {
        let text = """
            alice    tty2         2024-01-10 08:12 (tty2)
            bob      pts/0        2024-01-10 09:01 (192.168.1.20)
              continuation without a user
            """
        XCTAssertEqual(LoginList.users(who: text), ["alice", "bob"])
        XCTAssertEqual(LoginList.users(who: "\n"), [])
    }

    func testInhibitorsThatBlockTheOperation() {
        // systemd-inhibit --list --no-legend (systemd 255): WHO UID USER PID COMM WHAT WHY MODE.
        let text = """
            ModemManager 0    root  1080 ModemManager sleep          ModemManager needs to reset devices delay
            GNOME Shell  1000 alice 2245 gnome-shell  sleep          GNOME needs to lock the screen      delay
            backup       0    root  4711 rsync        sleep:shutdown Backup in progress                  block
            Unattended   0    root  900  unattended-u shutdown       Stop ongoing upgrades or sleep      block
            """
        // WHY is free text that the columns do not fence off: a "sleep" there counts too, on the
        // side of staying awake.
        XCTAssertEqual(InhibitorList.blockers(of: "sleep", in: text), ["backup", "Unattended"])
        XCTAssertEqual(InhibitorList.blockers(of: "shutdown", in: text), ["backup", "Unattended"])
        XCTAssertEqual(InhibitorList.blockers(of: "sleep", in: ""), [])
    }

    func testSSConnectionCount() {
        // ss -Htn state established '( sport = :2049 )'
        let text = "0      0      10.0.0.9:2049     10.0.0.20:833\n0      0      10.0.0.9:2049     10.0.0.21:901\n\n"
        XCTAssertEqual(SocketList.count(ss: text), 2)
        XCTAssertEqual(SocketList.count(ss: " \n"), 0)
    }
}
