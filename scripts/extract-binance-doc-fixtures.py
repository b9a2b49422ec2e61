#!/usr/bin/env python3
import re, json, sys, os
# Extracts the response examples of Binance's spot API docs (rest-api.md, web-socket-api.md)
# into test fixtures. Usage: python3 scripts/extract-binance-doc-fixtures.py <docs dir> <out dir>
docs = sys.argv[1]; out = sys.argv[2]
def strip_comments(s):
    res=[]
    for line in s.split('\n'):
        # remove // comments not inside strings
        inq=False; i=0; cut=None
        while i < len(line):
            c=line[i]
            if c=='"' and (i==0 or line[i-1]!='\\'): inq=not inq
            if not inq and line[i:i+2]=='//': cut=i; break
            i+=1
        res.append(line if cut is None else line[:cut])
    s='\n'.join(res)
    s=re.sub(r',(\s*[\]}])', r'\1', s)
    return s
def parse(block):
    try: return json.loads(strip_comments(block))
    except Exception as e: return None
rest = open(os.path.join(docs,'rest-api.md')).read()
# split into sections at headings
sections = re.split(r'\n(?=#{2,4} )', rest)
restfx = {}
for sec in sections:
    m = re.search(r'```\s*\n((GET|POST|PUT|DELETE) (/api/v3/[A-Za-z0-9/]+))\s*\n```', sec)
    if not m: continue
    key = m.group(1).strip()
    blocks=[]
    # response blocks: code blocks after a line containing "Response"
    idx = sec.find('**Response')
    if idx < 0: idx = sec.find('Response')
    for b in re.finditer(r'```(?:javascript|json)?\s*\n(.*?)```', sec[idx:], re.S):
        v = parse(b.group(1))
        if v is not None: blocks.append(v)
    if blocks: restfx.setdefault(key, []).extend(blocks)
ws = open(os.path.join(docs,'web-socket-api.md')).read()
wsfx = {}
sections = re.split(r'\n(?=#{2,4} )', ws)
for sec in sections:
    cur=None
    for b in re.finditer(r'```(?:javascript|json)?\s*\n(.*?)```', sec, re.S):
        v = parse(b.group(1))
        if isinstance(v, dict) and 'method' in v and 'id' in v: cur = v['method']; continue
        if cur and isinstance(v, dict) and v.get('status') == 200 and 'result' in v:
            wsfx.setdefault(cur, []).append(v['result'])
os.makedirs(out, exist_ok=True)
json.dump(restfx, open(os.path.join(out,'rest-responses.json'),'w'), indent=1, sort_keys=True)
json.dump(wsfx, open(os.path.join(out,'ws-api-responses.json'),'w'), indent=1, sort_keys=True)
print(len(restfx), sorted(restfx)); print(len(wsfx), sorted(wsfx))
