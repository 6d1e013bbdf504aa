/* jlm.h — the whole boundary between Java and libtorch.
 *
 * Rules (scripts/gen-bindings parses this file, one declaration per line):
 *  - Handles are opaque. Every function returning a jlm_tensor returns a NEW handle the caller owns
 *    (free it with jlm_free / jlm_free_many), or NULL on failure.
 *  - Functions returning int return 0 on success and non-zero on failure.
 *  - On failure jlm_last_error() holds libtorch's message (thread-local, owned by the shim,
 *    valid until the next failing call on the same thread). No C++ exception ever crosses this header.
 *  - Types: int, int64_t, double, const char *, void *, the opaque handles (jlm_tensor, jlm_pg), and pointers to them.
 *  - dtype codes: 0 float32, 1 bfloat16, 2 float16, 3 int64, 4 int32, 5 uint8, 6 bool, 7 float64.
 *  - device codes: -1 cpu, n >= 0 cuda:n.
 *  - Trailing underscore = in place (PyTorch's convention); dims arrays are int64_t with a count.
 */
#ifndef JLM_H
#define JLM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jlm_tensor_s *jlm_tensor;

/* ---- runtime ---- */
const char *jlm_last_error(void);
const char *jlm_header_sha256(void);
const char *jlm_torch_version(void);
const char *jlm_torch_library_path(void);
int jlm_noop(void);
/* 1 where this shim was built against a CUDA libtorch (libtorch_cuda linked), else 0. */
int jlm_cuda_compiled(void);
int jlm_cuda_is_available(void);
int jlm_cuda_device_count(void);
int jlm_cuda_synchronize(int device);
int jlm_get_num_threads(void);
int jlm_set_num_threads(int n);
int jlm_manual_seed(int64_t seed);
int jlm_get_rng_state(void *dst, int64_t capacity, int64_t *size);
int jlm_set_rng_state(const void *src, int64_t size);
int jlm_is_grad_enabled(void);
int jlm_set_grad_enabled(int enabled);
int jlm_has_sdpa(void);
void jlm_free(jlm_tensor t);
void jlm_free_many(jlm_tensor *ts, int64_t n);

/* ---- metadata ---- */
int jlm_ndim(jlm_tensor t);
int jlm_shape(jlm_tensor t, int64_t *out, int capacity);
int jlm_dtype(jlm_tensor t);
int jlm_device(jlm_tensor t);
int64_t jlm_numel(jlm_tensor t);
int jlm_item(jlm_tensor t, double *out);

/* ---- creation and copies ---- */
jlm_tensor jlm_empty(const int64_t *shape, int ndim, int dtype, int device);
jlm_tensor jlm_zeros(const int64_t *shape, int ndim, int dtype, int device);
jlm_tensor jlm_ones(const int64_t *shape, int ndim, int dtype, int device);
jlm_tensor jlm_full(const int64_t *shape, int ndim, double value, int dtype, int device);
jlm_tensor jlm_arange(double start, double end, double step, int dtype, int device);
jlm_tensor jlm_from_data(const void *data, int64_t nbytes, const int64_t *shape, int ndim, int dtype, int device);
int jlm_copy_out(jlm_tensor t, void *dst, int64_t nbytes);
jlm_tensor jlm_clone(jlm_tensor t);
jlm_tensor jlm_to_dtype(jlm_tensor t, int dtype);
jlm_tensor jlm_to_device(jlm_tensor t, int device);

/* ---- seeded randomness (the default CPU generator, as torch.manual_seed drives it) ---- */
jlm_tensor jlm_randn(const int64_t *shape, int ndim, int dtype, int device);
jlm_tensor jlm_rand(const int64_t *shape, int ndim, int dtype, int device);
jlm_tensor jlm_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, int device);
int jlm_uniform_(jlm_tensor t, double from, double to);
int jlm_trunc_normal_(jlm_tensor t, double mean, double std, double a, double b);

/* ---- views and shape ops ---- */
jlm_tensor jlm_view(jlm_tensor t, const int64_t *shape, int ndim);
jlm_tensor jlm_reshape(jlm_tensor t, const int64_t *shape, int ndim);
jlm_tensor jlm_transpose(jlm_tensor t, int64_t dim0, int64_t dim1);
jlm_tensor jlm_narrow(jlm_tensor t, int64_t dim, int64_t start, int64_t length);
jlm_tensor jlm_slice(jlm_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
jlm_tensor jlm_select(jlm_tensor t, int64_t dim, int64_t index);
jlm_tensor jlm_unsqueeze(jlm_tensor t, int64_t dim);
jlm_tensor jlm_squeeze(jlm_tensor t, int64_t dim);
jlm_tensor jlm_index_select(jlm_tensor t, int64_t dim, jlm_tensor index);
jlm_tensor jlm_gather(jlm_tensor t, int64_t dim, jlm_tensor index);
jlm_tensor jlm_stack(jlm_tensor *ts, int n, int64_t dim);

/* ---- arithmetic and math (broadcasting as in PyTorch) ---- */
jlm_tensor jlm_add(jlm_tensor a, jlm_tensor b);
jlm_tensor jlm_sub(jlm_tensor a, jlm_tensor b);
jlm_tensor jlm_mul(jlm_tensor a, jlm_tensor b);
jlm_tensor jlm_div(jlm_tensor a, jlm_tensor b);
jlm_tensor jlm_add_scalar(jlm_tensor a, double s);
jlm_tensor jlm_mul_scalar(jlm_tensor a, double s);
jlm_tensor jlm_pow_scalar(jlm_tensor a, double exponent);
jlm_tensor jlm_exp(jlm_tensor a);
jlm_tensor jlm_log(jlm_tensor a);
jlm_tensor jlm_sqrt(jlm_tensor a);
jlm_tensor jlm_rsqrt(jlm_tensor a);
jlm_tensor jlm_sigmoid(jlm_tensor a);
jlm_tensor jlm_sin(jlm_tensor a);
jlm_tensor jlm_cos(jlm_tensor a);
jlm_tensor jlm_abs(jlm_tensor a);
jlm_tensor jlm_matmul(jlm_tensor a, jlm_tensor b);
jlm_tensor jlm_where(jlm_tensor cond, jlm_tensor a, jlm_tensor b);
/* Comparison codes of jlm_compare_scalar; the result is a bool tensor. */
#define JLM_CMP_EQ 0
#define JLM_CMP_NE 1
#define JLM_CMP_LT 2
#define JLM_CMP_LE 3
#define JLM_CMP_GT 4
#define JLM_CMP_GE 5
jlm_tensor jlm_compare_scalar(jlm_tensor a, double s, int op);
/* a op b elementwise, broadcasting → bool. */
jlm_tensor jlm_compare(jlm_tensor a, jlm_tensor b, int op);
jlm_tensor jlm_tril(jlm_tensor t, int64_t diagonal);

/* ---- reductions (ndims == 0 reduces over all dims) ---- */
jlm_tensor jlm_sum(jlm_tensor t, const int64_t *dims, int ndims, int keepdim);
jlm_tensor jlm_mean(jlm_tensor t, const int64_t *dims, int ndims, int keepdim);
jlm_tensor jlm_amax(jlm_tensor t, const int64_t *dims, int ndims, int keepdim);
jlm_tensor jlm_logsumexp(jlm_tensor t, const int64_t *dims, int ndims, int keepdim);
/* The index of the largest value along dim (the first one on a tie), int64, that dim removed. */
jlm_tensor jlm_argmax(jlm_tensor t, int64_t dim);
jlm_tensor jlm_norm(jlm_tensor t, double p, const int64_t *dims, int ndims, int keepdim);
/* Running sum along dim, same dtype and shape. */
jlm_tensor jlm_cumsum(jlm_tensor t, int64_t dim);
/* The indices that sort t along dim, int64; stable: equal values keep their order (so descending puts a tie's lower index first). */
jlm_tensor jlm_argsort(jlm_tensor t, int64_t dim, int descending);

/* ---- in-place updates (optimizers) ---- */
int jlm_mul_(jlm_tensor t, jlm_tensor other);
int jlm_mul_scalar_(jlm_tensor t, double s);
int jlm_add_(jlm_tensor t, jlm_tensor other, double alpha);
int jlm_add_scalar_(jlm_tensor t, double s);
int jlm_addcmul_(jlm_tensor t, jlm_tensor a, jlm_tensor b, double value);
int jlm_addcdiv_(jlm_tensor t, jlm_tensor a, jlm_tensor b, double value);
int jlm_lerp_(jlm_tensor t, jlm_tensor end, double weight);
int jlm_copy_(jlm_tensor t, jlm_tensor src);
/* t's slices index[i] along dim become src's slice i (index: int64 on t's device). */
int jlm_index_copy_(jlm_tensor t, int64_t dim, jlm_tensor index, jlm_tensor src);
int jlm_zero_(jlm_tensor t);
int jlm_fill_(jlm_tensor t, double value);

/* ---- autograd ---- */
int jlm_set_requires_grad(jlm_tensor t, int requires_grad);
int jlm_requires_grad(jlm_tensor t);
int jlm_backward(jlm_tensor t);
int jlm_grad(jlm_tensor t, jlm_tensor *out);
int jlm_clear_grad(jlm_tensor t);
/* t.grad = a copy of g (PyTorch's `p.grad = g`, by value): t must be a leaf, g of t's shape, dtype and device. */
int jlm_set_grad(jlm_tensor t, jlm_tensor g);
jlm_tensor jlm_detach(jlm_tensor t);

/* ---- fused kernels: the optional fast path only, never used by the reference modules ---- */
jlm_tensor jlm_fused_softmax(jlm_tensor t, int64_t dim);
jlm_tensor jlm_fused_cross_entropy(jlm_tensor logits, jlm_tensor targets);
jlm_tensor jlm_fused_silu(jlm_tensor t);
/* RMSNorm over the last dimension: x / sqrt(mean(x²) + eps) · weight, computed in float32 and returned in x's dtype;
 * at::rms_norm where the libtorch has it (2.4+; one fused kernel on a GPU from 2.8), the same formula otherwise. */
jlm_tensor jlm_fused_rms_norm(jlm_tensor x, jlm_tensor weight, double eps);
/* softmax(Q Kᵀ·scale + bias) V in one downcall: baddbmm (scale and mask folded in) → softmax → bmm, libtorch 1.x's
 * fast path. q (..., Tq, D), k (..., Tk, D), v (..., Tk, Dv); bias (Tq, Tk) additive (0 or -inf), or NULL. */
jlm_tensor jlm_fused_attention(jlm_tensor q, jlm_tensor k, jlm_tensor v, jlm_tensor bias, double scale);
jlm_tensor jlm_fused_sdpa(jlm_tensor q, jlm_tensor k, jlm_tensor v, jlm_tensor mask, int is_causal);
/* Rotary embedding of interleaved pairs: (x[2i], x[2i+1]) rotated by the angle whose cos/sin tables are given, as one
 * complex multiply. x (..., T, D) float32 or float64, D even; cos, sin (T, D/2). */
jlm_tensor jlm_fused_rope(jlm_tensor x, jlm_tensor cos, jlm_tensor sin);

/* ---- the optimizer step over all parameters, one downcall each (libtorch's multi-tensor kernels where it has them;
 * no device value is read back on the host where it has them) ---- */
/* A NEW float32 tensor of shape () on the tensors' device: 1 where any of the n tensors holds a NaN or an infinity, else 0. */
jlm_tensor jlm_nonfinite(jlm_tensor *ts, int n);
/* Scales the n gradients by min(1, max_norm/(norm + 1e-6)), norm their global L2 norm (max_norm <= 0: no scaling), and
 * returns that norm, before scaling, as a NEW float32 tensor of shape (). */
jlm_tensor jlm_clip_grad_norm_(jlm_tensor *grads, int n, double max_norm);
/* Zeroes the n tensors in place. */
int jlm_zero_many_(jlm_tensor *ts, int n);
/* One AdamW step (torch.optim.AdamW's update) of n parameters, in place on params, exp_avgs, exp_avg_sqs and step (float32,
 * shape (): the updates taken so far). lr: float32, shape (). found_inf: float32, shape (), nonzero = skip this update
 * (nothing changes), or NULL. */
int jlm_adamw_(jlm_tensor *params, jlm_tensor *grads, jlm_tensor *exp_avgs, jlm_tensor *exp_avg_sqs, int n, jlm_tensor step, jlm_tensor lr, double beta1, double beta2, double eps, double weight_decay, jlm_tensor found_inf);

/* ---- profiler: libtorch's autograd profiler (this thread and the work it launches) ---- */
/* with_flops != 0 also records the FLOPs of matrix products (mm, bmm, addmm, baddbmm), at some cost in time;
 * with_gpu != 0 also records a CUDA event on the current stream at each push and pop (a CUDA build only). */
int jlm_profiler_start(int with_flops, int with_gpu);
/* Stops it; writes one line per event: push|pop, thread, handle, cpu_ns, sequence_nr, flops, gpu_ns, name
 * (tab-separated); gpu_ns: when the stream reached the event, from the first one that has it, or -1. */
int jlm_profiler_stop(const char *path);
/* A named range: the operators run until the matching pop are inside it (recorded only while profiling). */
int jlm_range_push(const char *name);
int jlm_range_pop(void);

/* ---- CUDA graphs: the kernels one thread enqueues, captured once and replayed as one launch (a training step). A
 * graph is made for one device and owns a side stream: jlm_graph_side_stream(g, 1) makes it the thread's current stream
 * (after the work queued so far), (g, 0) goes back (the previous stream then waits for it); capture runs there; replay
 * runs on the current stream. jlm_cuda_graphs() is 1 where this shim can capture a training step (built with CUDA, on a
 * libtorch whose AdamW takes the learning rate as a tensor: 2.3+), else 0 and jlm_graph_new fails. ---- */
typedef struct jlm_graph_s *jlm_graph;
int jlm_cuda_graphs(void);
jlm_graph jlm_graph_new(int device);
int jlm_graph_side_stream(jlm_graph g, int on);
/* Begins capturing on the side stream, after a device synchronize; the work enqueued until jlm_graph_capture_end is
 * recorded, not run. A failed or unfinished capture is ended by jlm_graph_free. */
int jlm_graph_capture_begin(jlm_graph g);
int jlm_graph_capture_end(jlm_graph g);
int jlm_graph_replay(jlm_graph g);
void jlm_graph_free(jlm_graph g);

/* ---- distributed: a c10d process group (libtorch's TCPStore + ProcessGroupGloo for CPU tensors / NCCL for CUDA).
 * jlm_pg_new returns a NEW group the caller owns (free with jlm_pg_free), or NULL on failure. The TCPStore is at
 * host:port: served by the rank with serve_store = 1 (rank 0; the others pass 0), or by a launcher (torchrun's agent)
 * when every rank passes -1; every key goes under store_prefix. Every rank binds its Gloo device to the address bind_host, or to the
 * interface ifname when it is not empty. timeout_ms bounds the rendezvous and every collective. Collectives block. ---- */
typedef struct jlm_pg_s *jlm_pg;
#define JLM_BACKEND_GLOO 0
#define JLM_BACKEND_NCCL 1
int jlm_pg_has_backend(int backend);
jlm_pg jlm_pg_new(int backend, const char *host, int port, int serve_store, const char *store_prefix, int rank, int world_size, const char *bind_host, const char *ifname, int64_t timeout_ms);
void jlm_pg_free(jlm_pg pg);
/* One flattened all-reduce (sum, or the mean when average != 0) over n tensors of one dtype and device, in place. */
int jlm_pg_all_reduce(jlm_pg pg, jlm_tensor *ts, int n, int average);
/* The root's values of n tensors of one dtype and device, copied into every rank's tensors (one flattened broadcast). */
int jlm_pg_broadcast(jlm_pg pg, jlm_tensor *ts, int n, int root);
int jlm_pg_barrier(jlm_pg pg);
/* After a failed collective: the ranks whose heartbeat did not advance within wait_ms (rank 0 when its store is
 * gone) → out[0..count), *count set. */
int jlm_pg_missing_ranks(jlm_pg pg, int64_t wait_ms, int64_t *out, int capacity, int *count);

#ifdef __cplusplus
}
#endif

#endif /* JLM_H */
