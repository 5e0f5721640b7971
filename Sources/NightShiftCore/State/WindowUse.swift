extension NightShiftState {
    /// The force-window occurrence a night last used up (its opening, epoch): the trigger's
    /// memory, else where files written before that memory existed kept it. The trigger,
    /// `status` and the forecast all read it here.
    public var windowUsedUp: Double? { night.windowUsed ?? lastWindowRun }
}
