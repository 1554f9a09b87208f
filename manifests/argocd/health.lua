-- The one Argo CD health check of the Sextant kinds. hack/render-manifests.sh prepends a per-kind
-- `local config = {...}` and writes the result for each kind into argocd-cm-patch.yaml; edit this
-- file (or the configs in render-manifests.sh), never the generated patch. Lua 5.1 (gopher-lua).
--   config.suspendSpec       spec field that, when true, makes the object Suspended (even without status)
--   config.suspendedWhen     conditions {type, status, reason?, message} that make it Suspended
--   config.field             status field whose values decide health first (phase, stage)
--   config.fieldHealth       value -> {status, message?}; without message, the Ready message is used
-- Then: Ready=True is Healthy, Ready=False is Degraded, anything else Progressing.
local hs = {}
local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then return c end
  end
  return nil
end
local function result(status, message)
  hs.status = status
  hs.message = message
  return hs
end
if config.suspendSpec ~= nil and obj.spec ~= nil and obj.spec[config.suspendSpec] == true then
  return result("Suspended", "Suspended")
end
if obj.status == nil then
  return result("Progressing", "Waiting for the Sextant controller")
end
local generation = obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  return result("Progressing", "Waiting for the controller to observe generation " .. generation)
end
local ready = condition("Ready")
local message = ""
if ready ~= nil and ready.message ~= nil then message = ready.message end
for _, want in ipairs(config.suspendedWhen or {}) do
  local c = condition(want.type)
  if c ~= nil and c.status == want.status and (want.reason == nil or c.reason == want.reason) then
    return result("Suspended", want.message)
  end
end
if config.field ~= nil and config.fieldHealth ~= nil then
  local mapped = config.fieldHealth[obj.status[config.field]]
  if mapped ~= nil then
    return result(mapped.status, mapped.message or message)
  end
end
if ready ~= nil and ready.status == "True" then
  return result("Healthy", message)
end
if ready ~= nil and ready.status == "False" then
  return result("Degraded", message)
end
if message ~= "" then return result("Progressing", message) end
return result("Progressing", "Waiting for the Ready condition")
