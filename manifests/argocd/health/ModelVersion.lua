-- Argo CD health of ml.sextant.dev/ModelVersion, from its Ready condition: Healthy when Ready,
-- Suspended while a promotion waits for approval, Healthy for an archived version, Degraded when
-- Ready=False for another reason (gates not met, serving failed), Progressing otherwise.
local hs = {}
local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then return c end
  end
  return nil
end
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sextant controller"
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to observe generation " .. generation
  return hs
end
local ready = condition("Ready")
local promoted = condition("Promoted")
local message = ""
if ready ~= nil and ready.message ~= nil then message = ready.message end
if promoted ~= nil and promoted.status == "False" and promoted.reason == "AwaitingApproval" then
  hs.status = "Suspended"
  hs.message = "Awaiting approval (annotation ml.sextant.dev/approved-by)"
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
elseif obj.status.stage == "Archived" then
  hs.status = "Healthy"
  hs.message = "Archived"
elseif ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = message
else
  hs.status = "Progressing"
  if message ~= "" then hs.message = message else hs.message = "Waiting for the Ready condition" end
end
return hs
