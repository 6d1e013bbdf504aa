# Sourced by the jlm launcher and the benchmarks (for both peers): the process environment libtorch's CPU work runs in.
#   JLM_BLAS=openmp|pthread   which build of Debian's OpenBLAS libtorch loads (default openmp when it is installed)
#   JLM_MALLOC=tcmalloc|system
# Leaves jlm_blas_build (openmp|pthread|linked): the build chosen (linked: a pip libtorch's own BLAS).
case "${JLM_BLAS:=openmp}" in openmp | pthread) ;; *) echo "jlm: JLM_BLAS must be openmp or pthread, got '$JLM_BLAS'" >&2; exit 2 ;; esac
case "${JLM_MALLOC:=tcmalloc}" in tcmalloc | system) ;; *) echo "jlm: JLM_MALLOC must be tcmalloc or system, got '$JLM_MALLOC'" >&2; exit 2 ;; esac
ml="/usr/lib/$(uname -m)-linux-gnu"
# One thread pool. Debian's libtorch runs its elementwise ops on libgomp's OpenMP pool and its matmuls in OpenBLAS;
# the pthread build of OpenBLAS (Debian's default) keeps a second pool of its own, and on 2 cores each pool's idle
# threads spin on the core the other needs, so that build only works with OMP_WAIT_POLICY=PASSIVE, where every op pays
# a thread wake-up. The OpenMP build runs its matmuls on libgomp's pool: one pool, whose threads may spin briefly
# between ops (libgomp's default): measured in docs/benchmarks.md, "One training step". LD_LIBRARY_PATH picks the
# build for jlm's processes only; the system's alternative is left as it is.
# Only Debian's libtorch loads Debian's OpenBLAS: a pip wheel links its BLAS (MKL) and its libgomp into itself, and
# gets neither LD_LIBRARY_PATH nor OMP_WAIT_POLICY from here.
jlm_blas_build=pthread
if [[ "$(cat "$(dirname "${JLM_NATIVE:-$JLM_BUILD/libjlm.so}")/.libtorch" 2>/dev/null)" != debian ]]; then
  jlm_blas_build=linked
elif [[ "$JLM_BLAS" == openmp && -f "$ml/openblas-openmp/libopenblas.so.0" ]]; then
  jlm_blas_build=openmp
  [[ ":${LD_LIBRARY_PATH:-}:" == *":$ml/openblas-openmp:"* ]] || export LD_LIBRARY_PATH="$ml/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
fi
# tcmalloc keeps freed tensor memory instead of handing it back to the kernel and faulting it in again each step
# (docs/benchmarks.md, "Settings whose reasons are measurements")
tc="$ml/libtcmalloc_minimal.so.4"
if [[ "$JLM_MALLOC" == tcmalloc && -f "$tc" && "${LD_PRELOAD:-}" != *tcmalloc* ]]; then
  export LD_PRELOAD="$tc${LD_PRELOAD:+:$LD_PRELOAD}"
fi
unset ml tc
