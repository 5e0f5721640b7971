import Foundation
import Glibc

/// Runs helper programs (ip, nsenter, fping, tshark, ...) with posix_spawn and waitpid.
/// Foundation's Process was not used: under XCTest in a fresh namespace its waitUntilExit
/// hung with the child already a zombie, and these helpers must never hang a test run.
enum TestCommand {
    /// A started program.
    struct Child {
        let pid: pid_t
        /// Read end of its combined stdout/stderr, when captured.
        let outputFD: Int32?
    }

    /// Starts `argv` (argv[0] looked up on PATH); output goes to a pipe, a file, or /dev/null.
    static func spawn(_ argv: [String], capture: Bool = false, outputFile: String? = nil) throws -> Child {
        guard let tool = TestNetwork.findTool(argv[0]) else { throw TestNetworkError("command not found: \(argv[0])") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeFDs: [Int32] = [-1, -1]
        if capture {
            guard pipe(&pipeFDs) == 0 else { throw TestNetworkError("pipe: \(String(cString: strerror(errno)))") }
            // Other children spawned meanwhile must not inherit the write end, or EOF never comes.
            _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        } else {
            let path = outputFile ?? "/dev/null"
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var cArguments: [UnsafeMutablePointer<CChar>?] = ([tool] + argv.dropFirst()).map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, tool, &actions, nil, &cArguments, environ)
        if capture { close(pipeFDs[1]) }
        guard status == 0 else {
            if capture { close(pipeFDs[0]) }
            throw TestNetworkError("posix_spawn \(tool): \(String(cString: strerror(status)))")
        }
        return Child(pid: pid, outputFD: capture ? pipeFDs[0] : nil)
    }

    /// Runs `argv` to completion and returns its exit status and combined output.
    static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        let child = try spawn(argv, capture: true)
        let output = readAll(child.outputFD!)
        close(child.outputFD!)
        return (wait(child.pid), output)
    }

    /// Reads a descriptor to end of file.
    static func readAll(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits for a child; returns its exit status, or 128 + signal.
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }

    /// Whether a child has not exited yet (reaps it if it has).
    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }
}
