import NightShiftCore
import XCTest

/// `smbstatus --json` as Samba 4.17.12 (Debian 12) prints it, captured from a real smbd
/// with one smbclient holding a file open, then after the client left.
final class SambaStatusTests: XCTestCase {
    static let busy = """
        {"timestamp": "2026-12-02T04:42:17.337402+0000", "version": "4.17.12-Debian", "smb_conf": "/tmp/smbx/smb.conf", "sessions": {"566671318": {"session_id": "566671318", "server_id": {"pid": "20203", "task_id": "0", "vnn": "4294967295", "unique_id": "2843313201982698924"}, "uid": 65534, "gid": 65534, "username": "nobody", "groupname": "nogroup", "remote_machine": "127.0.0.1", "hostname": "ipv4:127.0.0.1:34924", "session_dialect": "SMB3_11", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "-", "degree": "none"}}}, "tcons": {"826440503": {"service": "share", "server_id": {"pid": "20203", "task_id": "0", "vnn": "4294967295", "unique_id": "2843313201982698924"}, "tcon_id": "826440503", "session_id": "566671318", "machine": "127.0.0.1", "connected_at": "2026-12-02T04:42:15.210755+00:00", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "-", "degree": "none"}}}, "open_files": {"/tmp/smbx/share/big.bin": {"service_path": "/tmp/smbx/share", "filename": "big.bin", "fileid": {"devid": 65024, "inode": 16220482, "extid": 0}, "num_pending_deletes": 0, "opens": {"20203/3": {"server_id": {"pid": "20203", "task_id": "0", "vnn": "4294967295", "unique_id": "2843313201982698924"}, "uid": 65534, "share_file_id": "3", "sharemode": {"hex": "0x00000003", "READ": true, "WRITE": true, "DELETE": false, "text": "RW"}, "access_mask": {"hex": "0x00120089", "READ_DATA": true, "WRITE_DATA": false, "APPEND_DATA": false, "READ_EA": true, "WRITE_EA": false, "EXECUTE": false, "READ_ATTRIBUTES": true, "WRITE_ATTRIBUTES": false, "DELETE_CHILD": false, "DELETE": false, "READ_CONTROL": true, "WRITE_DAC": false, "SYNCHRONIZE": true, "ACCESS_SYSTEM_SECURITY": false, "text": "R"}, "caching": {"READ": false, "WRITE": false, "HANDLE": false, "hex": "0x00000000", "text": ""}, "oplock": {}, "lease": {}, "opened_at": "2026-12-02T04:42:15.211609+00:00"}}}}}
        """
    static let idle = """
        {"timestamp": "2026-12-02T04:42:18.637408+0000", "version": "4.17.12-Debian", "smb_conf": "/tmp/smbx/smb.conf", "sessions": {}, "tcons": {}, "open_files": {}}
        """
    /// Before any client connected there is no locking.tdb: "open_files" is missing.
    static let neverUsed = """
        {"timestamp": "2026-12-02T04:41:55.225161+0000", "version": "4.17.12-Debian", "smb_conf": "/etc/samba/smb.conf", "sessions": {}, "tcons": {}}
        """

    func testASessionWithAnOpenFile() throws {
        let s = try XCTUnwrap(SambaStatus.parse(json: Self.busy))
        XCTAssertEqual(s.sessions, [.init(user: "nobody", machine: "127.0.0.1", dialect: "SMB3_11")])
        XCTAssertEqual(s.shares, ["share"])
        XCTAssertEqual(s.openFiles, ["/tmp/smbx/share/big.bin"])
    }

    func testIdleAndNeverUsedServersAreEmpty() throws {
        for text in [Self.idle, Self.neverUsed] {
            XCTAssertEqual(SambaStatus.parse(json: text), SambaStatus(sessions: [], shares: [], openFiles: []), text)
        }
    }

    func testTextThatIsNotItsJSONIsNil() {
        // An older Samba prints its tables (or an error) instead.
        for text in ["", "\nSamba version 4.13.13-Debian\nPID     Username\n----\n", "[]", "{\"version\": \"4.17\"}",
                     "{\"sessions\": {\"1\": 5}}", "smbstatus: unknown option -- json"] {
            XCTAssertNil(SambaStatus.parse(json: text), text)
        }
    }
}
