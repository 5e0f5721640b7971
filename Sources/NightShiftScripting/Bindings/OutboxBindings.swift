import Foundation
import LuaBinding
import NightShiftCore

/// `core.outbox.*`: the notifications that wait in `state_dir/outbox/` (internal API of
/// nightshift.outbox). Under --dry-run nothing is queued; without a state directory neither.
enum OutboxBindings {
    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        func outbox() -> Outbox? { context.stateDirectory.map { Outbox(stateDir: $0) } }

        /// Queues a message table; returns its id and the labels dropped for room, or nil and why.
        try m.addCore("outbox.add") { args in
            let t = try args.table(1)
            guard let label = t["label"].stringValue, let kind = t["kind"].stringValue,
                  kind == "http" || kind == "mail" else { throw args.error(1, "label and kind (http or mail) expected") }
            if context.options.dryRun { return [.nil, .string("dry run: nothing is queued")] }
            guard let box = outbox() else { return [.nil, .string("no state directory")] }
            var headers: [String: String]?
            if let h = t["headers"].tableValue {
                var out: [String: String] = [:]
                for (k, v) in h.entries { if let k = k.stringValue, let v = v.stringValue { out[k] = v } }
                headers = out
            }
            let message = OutboxMessage(
                label: label, created: context.now(), kind: kind, url: t["url"].stringValue,
                method: t["method"].stringValue, headers: headers, body: t["body"].bytesValue,
                argv: t["argv"].tableValue.map { $0.array.compactMap(\.stringValue) })
            do {
                let (id, dropped) = try box.add(message)
                return [.string(id), .table(LuaTable(array: dropped.map { .string($0) }))]
            } catch {
                return [.nil, .string("\(error)")]
            }
        }
        /// Every waiting message, oldest first, as the tables `outbox.add` took (plus id, created, attempts).
        try m.addCore("outbox.list") { _ in
            guard let box = outbox() else { return [.table(LuaTable())] }
            let entries: [Outbox.Entry]
            do { entries = try box.list() } catch { return [.nil, .string("\(error)")] }
            return [.table(LuaTable(array: entries.map { e in
                let m = e.message
                var t = LuaTable(["id": .string(e.id), "label": .string(m.label), "kind": .string(m.kind),
                                  "created": .number(m.created), "attempts": .integer(Int64(m.attempts))])
                if let url = m.url { t["url"] = .string(url) }
                if let method = m.method { t["method"] = .string(method) }
                if let h = m.headers {
                    var headers = LuaTable()
                    for (k, v) in h { headers[.string(k)] = .string(v) }
                    t["headers"] = .table(headers)
                }
                if let body = m.body { t["body"] = .fromBytes(Array(body)) }
                if let argv = m.argv { t["argv"] = .table(LuaTable(array: argv.map { .string($0) })) }
                return .table(t)
            }))]
        }
        /// Counts one more failed attempt of message `id`.
        try m.addCore("outbox.attempted") { args in
            let id = try args.string(1)
            guard let box = outbox(), !context.options.dryRun else { return [.boolean(false)] }
            do {
                guard var entry = try box.list().first(where: { $0.id == id })?.message else { return [.boolean(false)] }
                entry.attempts += 1
                try box.update(id, entry)
                return [.boolean(true)]
            } catch {
                return [.boolean(false)]
            }
        }
        /// Removes a delivered message; false when it was not there or could not be removed.
        try m.addCore("outbox.remove") { args in
            let id = try args.string(1)
            guard let box = outbox(), !context.options.dryRun else { return [.boolean(false)] }
            do { return [.boolean(try box.remove(id))] } catch {
                context.log.error("Cannot remove a delivered notification from the outbox: \(error)")
                return [.boolean(false)]
            }
        }
        try m.addCore("outbox.count") { _ in [.integer(Int64(outbox()?.count() ?? 0))] }
    }
}
