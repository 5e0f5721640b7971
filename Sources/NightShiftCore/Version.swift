/// The version of NightShift, as `nightshift --version` and `ns.version` report it.
public enum NightShiftVersion {
    public static let string = "0.1.0"
}
