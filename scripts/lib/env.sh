# Sourced by the scripts: finds a JDK 25 and sets JAVA_HOME, PATH and the project's paths.
jlm_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]] || ! "${JAVA_HOME}/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  JAVA_HOME=""
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-openjdk* /usr/lib/jvm/jdk-25*; do
    if [[ -x "$d/bin/java" ]]; then JAVA_HOME="$d"; break; fi
  done
fi
if [[ -z "$JAVA_HOME" ]]; then
  echo "jlm: no JDK 25 found under /usr/lib/jvm; set JAVA_HOME to a JDK 25 (or run scripts/setup)" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
export JLM_BUILD="${JLM_BUILD:-$jlm_root/build/native}"
# The Python whose torch is the shim's libtorch (scripts/setup records it): test oracles, benchmark peers, torchrun.
if [[ -z "${JLM_PYTHON:-}" && -s "$JLM_BUILD/python" ]]; then JLM_PYTHON="$(cat "$JLM_BUILD/python")"; fi
export JLM_PYTHON="${JLM_PYTHON:-/usr/bin/python3}"
