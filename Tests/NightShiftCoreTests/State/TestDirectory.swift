import Foundation

/// A fresh directory under /tmp for one test, removed again by `remove()`.
struct TestDirectory {
    let path: String

    init(_ label: String = #function) throws {
        let name = "nightshift-\(label.filter { $0.isLetter || $0.isNumber })-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        path = NSTemporaryDirectory().appending(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
