-- The benchmark scripts' small JSON writer (keys sorted, numbers rounded to
-- `digits` decimals): they need no JSON library. Loaded with dofile.
local function json(v, digits)
  if type(v) == "table" then
    local keys, parts = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = ("%q:%s"):format(k, json(v[k], digits)) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif type(v) == "number" then
    return ("%." .. digits .. "f"):format(v)
  end
  return ("%q"):format(tostring(v))
end
return json
