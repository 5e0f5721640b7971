/// How a script is run: the CLI flags that reach the Lua module as `ns.dry_run` etc.
public struct ScriptOptions: Sendable {
    /// Log outside effects instead of performing them.
    public var dryRun: Bool
    /// Trace every primitive call.
    public var debug: Bool
    /// Back up on the first cycle regardless of the trigger.
    public var manual: Bool
    /// Never put this machine to sleep.
    public var noSleep: Bool
    /// Overrides `settings.state_dir`.
    public var stateDir: String?
    /// Overrides `settings.log_file`.
    public var logFile: String?

    /// Creates options; everything off by default.
    public init(dryRun: Bool = false, debug: Bool = false, manual: Bool = false, noSleep: Bool = false,
                stateDir: String? = nil, logFile: String? = nil) {
        self.dryRun = dryRun
        self.debug = debug
        self.manual = manual
        self.noSleep = noSleep
        self.stateDir = stateDir
        self.logFile = logFile
    }
}
