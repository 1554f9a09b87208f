-- Argo CD health of ml.sextant.dev/RetrainPolicy: Suspended when suspended, else from Ready.
local hs = {}
local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then return c end
  end
  return nil
end
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended"
  return hs
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
local suspended = condition("Suspended")
local ready = condition("Ready")
local message = ""
if ready ~= nil and ready.message ~= nil then message = ready.message end
if suspended ~= nil and suspended.status == "True" then
  hs.status = "Suspended"
  hs.message = "Suspended"
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
elseif ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = message
else
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
end
return hs
