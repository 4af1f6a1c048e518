// Registers the coordinate-descent fits (enetFit, linearSvcFit) on the addon's exports; called
// once from addon.cc.
#pragma once
#include <napi.h>

namespace tensile {

void RegisterCd(Napi::Env env, Napi::Object exports);

}  // namespace tensile
