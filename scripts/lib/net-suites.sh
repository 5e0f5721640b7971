# The test suites that send packets (sourced by scripts/test-network, which scripts/test
# calls): they run only inside a private network namespace, so no packet leaves the machine.
# One suite a line; a new network suite is added here and nowhere else.
NET_SUITES=(
    NightShiftCoreTests.ProbeClassificationTests
    NightShiftCoreTests.LocalFailureTests
    NightShiftCoreTests.LargeSweepTests
    NightShiftCoreTests.ARPProbeTests
    NightShiftCoreTests.ARPOffloadTests
    NightShiftCoreTests.UnprivilegedARPTests
    NightShiftCoreTests.WaitUpTests
    NightShiftCoreTests.WakeOnLANTests
    NightShiftCoreTests.SNTPTests
    NightShiftCoreTests.ClockStepTests
    NightShiftCoreTests.ClockPlausibilityTests
    NightShiftCoreTests.NetworkToolTests
    NightShiftScriptingTests.CycleTests
    NightShiftScriptingTests.DeferUPSTests
    NightShiftScriptingTests.LiveCheckTests
    NightShiftScriptingTests.MetricsTextfileTests
    NightShiftScriptingTests.WindowsSNTPFallbackTests
    NightShiftScriptingTests.RoutedOfficeCheckTests
    NightShiftScriptingTests.ReadyWaitTests
)

# The suites as one XCTest --filter regex ("Module\.Suite|...").
net_suites_filter() {
    local IFS='|'
    local joined="${NET_SUITES[*]}"
    printf '%s' "${joined//./\\.}"
}
