#!/usr/bin/env bash
# Runs the expiry benchmark (io.lapse.expiry.bench.ExpiryBenchmark) against a loopback in-process
# KRaft broker, or a cluster of broker JVMs (--brokers=3). Arguments are passed through, e.g.:
#   expiry-processor/bench.sh                                   # the full run (1M pending, 200k burst)
#   expiry-processor/bench.sh --pending=100000 --burst=50000 --steadySeconds=10   # a quick run
#   expiry-processor/bench.sh --brokers=3 ...                   # on a 3-broker cluster (RF 3, min ISR 2)
#   BENCH_MAIN=io.lapse.expiry.bench.IdleCpuBenchmark expiry-processor/bench.sh   # idle CPU of the processor
# Processor tuning comes from LAPSE_EXPIRY_* / STREAMS_PROPERTY_* environment variables.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=expiry-processor/target/bench-classpath.txt
./mvnw -q ${MVN_OFFLINE:-} -pl expiry-processor -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -Dmdep.includeScope=test -Dspotless.check.skip=true
cp="expiry-processor/target/test-classes:expiry-processor/target/classes:schemas/target/classes:infra/target/classes:testkit/target/classes:$(cat "$cp_file")"
exec java -Xms1g -Xmx4g -XX:+UseG1GC ${BENCH_JAVA_OPTS:-} \
  -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.lapse.events.v1,io.lapse.state.v1 \
  -cp "$cp" "${BENCH_MAIN:-io.lapse.expiry.bench.ExpiryBenchmark}" "$@"
