import Foundation
import LuaBinding
import NightShiftBase
import NightShiftCore

/// `core.hc.*`: what Healthchecks enrolment (nightshift.healthchecks) needs from Swift - the
/// API key from a 0600 file, the force window as cron + length + time zone, the answer's
/// ping URL, and the enrolment record in the state directory (internal API).
enum HealthchecksBindings {
    /// Differs for every nightshift process: a new start enrols again.
    static let processToken = UUID().uuidString

    static func install(_ m: inout ModuleBuilder) throws {
        let context = m.context
        try m.addCore("hc.key", traced: false) { args in
            do { return [.string(try SecretFile.read(try args.string(1)))] } catch { return [.nil, .string("\(error)")] }
        }
        /// `{cron="MM HH * * *", length=seconds, tz="Area/City"}` for a window text.
        try m.addCore("hc.window", traced: false) { args in
            let window: TimeWindow
            do { window = try TimeWindow(parsing: try args.string(1)) } catch { throw args.error(1, "\(error)") }
            let length = (window.endSecond - window.startSecond + 86400) % 86400
            let start = window.startSecond
            return [.table(LuaTable([
                "cron": .string("\(start / 60 % 60) \(start / 3600) * * *"),
                "length": .integer(Int64(length == 0 ? 86400 : length)),
                "tz": .string(TimeZone.current.identifier),
            ]))]
        }
        /// The `ping_url` of a Management API answer (a check as JSON), or nil.
        try m.addCore("hc.ping_url", traced: false) { args in
            guard let bytes = args[1].bytesValue,
                  let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                  let url = object["ping_url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else { return [.nil] }
            return [.string(url)]
        }
        try m.addCore("hc.process", traced: false) { _ in [.string(processToken)] }
        try m.addCore("hc.load", traced: false) { _ in
            guard let dir = context.stateDirectory, let r = EnrolmentRecord.load(stateDir: dir) else { return [.nil] }
            var urls = LuaTable()
            for (job, url) in r.pingURLs { urls[.string(job)] = .string(url) }
            return [.table(LuaTable(["fingerprint": .string(r.fingerprint), "process": .string(r.process), "ping_urls": .table(urls)]))]
        }
        try m.addCore("hc.save", traced: false) { args in
            let t = try args.table(1)
            guard let dir = context.stateDirectory, !context.options.dryRun else { return [.boolean(false)] }
            var urls: [String: String] = [:]
            for (k, v) in t["ping_urls"].tableValue?.entries ?? [:] {
                if let k = k.stringValue, let v = v.stringValue { urls[k] = v }
            }
            let record = EnrolmentRecord(fingerprint: t["fingerprint"].stringValue ?? "", process: processToken, pingURLs: urls)
            do { try record.save(stateDir: dir) } catch { return [.nil, .string("\(error)")] }
            return [.boolean(true)]
        }
    }
}
