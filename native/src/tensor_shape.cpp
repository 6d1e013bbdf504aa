// tensor_shape.cpp — views and shape ops.
#include "boundary.hpp"

using jlm::dims;
using jlm::unwrap;

using jlm::tensors;

extern "C" {

jlm_tensor jlm_view(jlm_tensor t, const int64_t *shape, int ndim) { JLM_NEW(unwrap(t).view(dims(shape, ndim))) }
jlm_tensor jlm_reshape(jlm_tensor t, const int64_t *shape, int ndim) { JLM_NEW(unwrap(t).reshape(dims(shape, ndim))) }
jlm_tensor jlm_transpose(jlm_tensor t, int64_t d0, int64_t d1) { JLM_NEW(unwrap(t).transpose(d0, d1)) }
jlm_tensor jlm_narrow(jlm_tensor t, int64_t dim, int64_t start, int64_t length) { JLM_NEW(unwrap(t).narrow(dim, start, length)) }
jlm_tensor jlm_slice(jlm_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  JLM_NEW(unwrap(t).slice(dim, start, end, step))
}
jlm_tensor jlm_select(jlm_tensor t, int64_t dim, int64_t index) { JLM_NEW(unwrap(t).select(dim, index)) }
jlm_tensor jlm_unsqueeze(jlm_tensor t, int64_t dim) { JLM_NEW(unwrap(t).unsqueeze(dim)) }
jlm_tensor jlm_squeeze(jlm_tensor t, int64_t dim) { JLM_NEW(unwrap(t).squeeze(dim)) }
jlm_tensor jlm_index_select(jlm_tensor t, int64_t dim, jlm_tensor index) { JLM_NEW(unwrap(t).index_select(dim, unwrap(index))) }
jlm_tensor jlm_gather(jlm_tensor t, int64_t dim, jlm_tensor index) { JLM_NEW(unwrap(t).gather(dim, unwrap(index))) }
jlm_tensor jlm_stack(jlm_tensor *ts, int n, int64_t dim) { JLM_NEW(torch::stack(tensors(ts, n), dim)) }

}  // extern "C"
