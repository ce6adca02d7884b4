package io.lapse.config;

import java.util.List;

/** The environment does not satisfy a declaration; the message names every variable at fault. */
public final class InvalidConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  InvalidConfigException(List<String> problems) {
    super(
        problems.size() == 1
            ? problems.get(0)
            : problems.size() + " configuration problems: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * One problem that no single declaration can see, e.g. two settings that contradict each other.
   *
   * @param problem one sentence starting with the variable's name
   */
  public InvalidConfigException(String problem) {
    this(List.of(problem));
  }

  /** One sentence per variable at fault, each starting with the variable's name. */
  public List<String> problems() {
    return problems;
  }
}
