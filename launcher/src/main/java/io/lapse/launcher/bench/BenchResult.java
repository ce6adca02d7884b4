package io.lapse.launcher.bench;

/**
 * One contender's figures for one scenario.
 *
 * @param lateness every lateness seen, ascending, in ms (for the CDF); empty when idle
 * @param drainPerSecond expiries per second from the burst's instant to its last expiry; NaN when
 *     the scenario has no burst
 * @param cpuCores CPU time of the contender's processes per second of wall time (1.0 = one core)
 */
record BenchResult(
    String contender,
    Scenario scenario,
    Lateness.Summary summary,
    long[] lateness,
    double drainPerSecond,
    double cpuCores) {}
