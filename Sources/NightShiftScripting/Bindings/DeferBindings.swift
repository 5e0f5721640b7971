import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `core.defer.upsc(text)`: upsc's output as `{flags={...}, on_battery=, low_battery=, charge=?,
/// runtime=?}`, or nil when it names no status (internal API of nightshift.defer).
enum DeferBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        try m.addCore("defer.upsc", traced: false) { args in
            guard let ups = UPSStatus.parse(try args.string(1)) else { return [.nil] }
            var t = LuaTable([
                "flags": .table(LuaTable(array: ups.flags.map { .string($0) })),
                "on_battery": .boolean(ups.onBattery), "low_battery": .boolean(ups.lowBattery),
            ])
            if let c = ups.charge { t["charge"] = .number(c) }
            if let r = ups.runtime { t["runtime"] = .number(r) }
            return [.table(t)]
        }
    }
}
