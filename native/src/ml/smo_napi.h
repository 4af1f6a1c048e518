// Registers smoSolve (the SMO solver of tn.ml's SVC and SVR) on the addon's exports; called
// once from addon.cc.
#pragma once
#include <napi.h>

namespace tensile {

void RegisterSmo(Napi::Env env, Napi::Object exports);

}  // namespace tensile
