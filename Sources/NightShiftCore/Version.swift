/// The version of NightShift, as every layer above reports it.
public enum NightShiftVersion {
    public static let string = "0.3.0"
}
