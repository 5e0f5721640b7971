import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `core.busy.*` and `core.rtc.set`: the /proc readings and the RTC write behind `ns.busy`
/// and `settings.self_wake` (internal API; busy.lua holds the policy).
enum BusyBindings {
    /// A Samba status as busy.lua reads it: {sessions = {{user, machine, dialect}}, shares, files}.
    static func table(_ status: SambaStatus) -> LuaTable {
        let sessions = status.sessions.map { s -> LuaValue in
            .table(LuaTable(["user": .string(s.user), "machine": .string(s.machine), "dialect": .string(s.dialect)]))
        }
        var t = LuaTable()
        t["sessions"] = .table(LuaTable(array: sessions))
        t["shares"] = .table(LuaTable(array: status.shares.map { .string($0) }))
        t["files"] = .table(LuaTable(array: status.openFiles.map { .string($0) }))
        return t
    }

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context

        func counters(_ values: [String: UInt64]?, _ what: String) -> [LuaValue] {
            guard let values else { return [.nil, .string("cannot read \(what)")] }
            var t = LuaTable()
            for (k, v) in values { t[.string(k)] = .number(Double(v)) }
            return [.table(t)]
        }
        try m.addCore("busy.net_bytes") { _ in counters(ActivityCounters.readNetwork(), "/proc/net/dev") }
        try m.addCore("busy.disk_bytes") { _ in counters(ActivityCounters.readDisk(), "/proc/diskstats") }
        try m.addCore("busy.processes") { _ in
            [.table(LuaTable(array: ActivityCounters.processNames().sorted { $0.key < $1.key }.map { .string($0.value) }))]
        }
        // Entries of a folder (nil when it is absent): nfsd's per-client folders.
        try m.addCore("busy.list") { args in
            let path = try args.string(1)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [.nil] }
            return [.table(LuaTable(array: entries.sorted().map { .string($0) }))]
        }
        // smbstatus --json as {sessions = {{user, machine, dialect}}, shares = {...}, files = {...}};
        // nil when the text is not its JSON (busy.lua then asks for the tables of plain smbstatus).
        try m.addCore("busy.smbstatus_json") { args in
            guard let status = SambaStatus.parse(json: try args.string(1)) else { return [.nil] }
            return [.table(table(status))]
        }
        // The same from the tables of plain smbstatus (Samba before 4.16, or without JSON).
        try m.addCore("busy.smbstatus_tables") { args in [.table(table(SambaStatus.parse(tables: try args.string(1))))] }
        // The parsers of the other query programs' text (Core's Activity/): busy.lua decides.
        func strings(_ list: [String]) -> [LuaValue] { [.table(LuaTable(array: list.map { .string($0) }))] }
        try m.addCore("busy.loginctl_users") { args in strings(LoginList.users(loginctl: try args.string(1))) }
        try m.addCore("busy.who_users") { args in strings(LoginList.users(who: try args.string(1))) }
        try m.addCore("busy.ss_count") { args in [.integer(Int64(SocketList.count(ss: try args.string(1))))] }
        try m.addCore("busy.inhibitors") { args in
            strings(InhibitorList.blockers(of: try args.string(2), in: try args.string(1)))
        }
        try m.addCore("busy.exists") { args in
            [.boolean(FileManager.default.fileExists(atPath: try args.string(1)))]
        }
        try m.addCore("rtc.set") { args in
            let path = try args.string(1)
            let epoch = try args.number(2)
            let alarm = RTCAlarm(path: path)
            let now = context.now()
            if context.options.dryRun {
                switch RTCAlarm.validate(epoch: epoch, now: now) {
                case .success(let whole):
                    context.dryRun("set the wake alarm: write 0, then \(whole) to \(alarm.file)")
                    return [.number(Double(whole))]
                case .failure(let error): return [.nil, .string(error.description)]
                }
            }
            switch alarm.set(epoch: epoch, now: now) {
            case .success(let whole): return [.number(Double(whole))]
            case .failure(let error): return [.nil, .string(error.description)]
            }
        }
    }
}
