package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunningSystemTest {
  @TempDir Path home;

  private static RunningSystem of(long pid) {
    return new RunningSystem(
        pid,
        "http://127.0.0.1:28080",
        "127.0.0.1:29092",
        "http://127.0.0.1:28081/apis/ccompat/v7",
        "http://127.0.0.1:28091");
  }

  @Test
  void shouldFindTheSystemItsLiveLauncherWroteOwnerOnly() throws IOException {
    RunningSystem mine = of(ProcessHandle.current().pid());
    mine.write(home);

    assertThat(RunningSystem.find(home)).contains(mine);
    assertThat(RunningSystem.require(home)).isEqualTo(mine);
    assertThat(Files.getPosixFilePermissions(home.resolve(RunningSystem.FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void shouldTreatAFileWhoseLauncherIsGoneAsNotRunning() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    of(gone.pid()).write(home); // as a launcher killed with SIGKILL leaves it

    assertThat(RunningSystem.find(home)).isEmpty();
    assertThatThrownBy(() -> RunningSystem.require(home))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("not running")
        .hasMessageContaining("./lapse up");
  }

  @Test
  void shouldSayNotRunningWithoutAFileOrWithAHalfWrittenOne() throws IOException {
    assertThat(RunningSystem.find(home)).isEmpty();

    Files.writeString(home.resolve(RunningSystem.FILE), "pid=" + ProcessHandle.current().pid());
    assertThat(RunningSystem.find(home)).isEmpty();
  }

  @Test
  void shouldRemoveOnlyItsOwnFile() throws IOException {
    long me = ProcessHandle.current().pid();
    of(me).write(home);

    RunningSystem.remove(home, me + 1); // another launcher stopping must not remove ours
    assertThat(RunningSystem.find(home)).isPresent();

    RunningSystem.remove(home, me);
    assertThat(home.resolve(RunningSystem.FILE)).doesNotExist();
  }
}
