-- wrk script: an exact-plate search over HTTPS with a logged-on user's session.
--   wrk -t2 -c64 -d15s --latency -s bench/wrk_search.lua https://HOST:PORT/api/v1/reads -- COOKIE PLATE
-- COOKIE is "custodian_session=TOKEN" (custodian bench http-setup prints one, with a plate
-- that exists). Purpose stolen_vehicle, case 26-CR-0001; each search is logged as usual.
function init(args)
  local cookie = args[1] or error("usage: ... -- COOKIE PLATE")
  local plate = args[2] or error("usage: ... -- COOKIE PLATE")
  path = wrk.path .. "?purpose=stolen_vehicle&case=26-CR-0001&plate=" .. plate
  headers = {["Cookie"] = cookie}
end

function request()
  return wrk.format("GET", path, headers)
end
