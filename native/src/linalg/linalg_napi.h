// Registers the tn.linalg kernels (getrf, getrs, potrf, trtrs, geqrf, orgqr, gesvd, syevd) on
// the addon's exports; called once from addon.cc.
#pragma once
#include <napi.h>

namespace tensile {

void RegisterLinalg(Napi::Env env, Napi::Object exports);

}  // namespace tensile
