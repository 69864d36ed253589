-- wrk script for bench/serve.sh: each request is the next search page of a fixed list of
-- realistic queries (inflected Kazakh and Russian words, phrases, prefixes, OR/NOT,
-- filters), percent-encoded as a browser sends them.
local queries = {
  "кітапхана", "кітапханада", "кітапханаларымыздың", "библиотека", "библиотеки",
  "Балқаш", "Балқаш мыс", "мыс кеніші", "\"мыс кеніші\"", "соғыс ардагерлері",
  "ардагер*", "мұғалім OR учитель", "театр NOT концерт", "музей&type=book",
  "город&lang=rus", "газет&year=1960..1970", "ақын&collection=Өлкетану",
  "жазушы&source=Балқаш өңірі", "завод комбинат", "колхоз&year=1930..1950",
  "мектеп оқушы", "история края", "выставка", "ескерткіш", "жеңіс",
}

local function encode(text)
  return (text:gsub("[^%w%-_.~=&]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local paths = {}
for i, q in ipairs(queries) do
  paths[i] = "/search?q=" .. encode(q)
end

local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
