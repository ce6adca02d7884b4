package io.lapse.launcher.bench;

import java.time.Duration;

/** CPU time of a process and its live descendants, as the kernel accounts it in /proc. */
final class ProcessCpu {
  private ProcessCpu() {}

  static long treeNanos(ProcessHandle root) {
    long total = nanos(root);
    total += root.descendants().mapToLong(ProcessCpu::nanos).sum();
    return total;
  }

  private static long nanos(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }
}
