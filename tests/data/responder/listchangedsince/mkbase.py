#!/usr/bin/env python3
"""mkbase.py OUTDIR: writes the "base" variants of scenarios/listchangedsince/*.yaml
that base/ was recorded from: LIST-CHANGEDSINCE dropped from "requires", the
CHANGEDSINCE option removed from the LIST commands that need a value the server
reports ($h), every S/assert step dropped except the captures the C lines use
($h, $d), and an "S optional: <tag> OK|NO|BAD" after every command.  Record them:
  imapconform run imap://127.0.0.1:PORT OUTDIR --prefix imapconform-rt \
      --record DIR --user user1 --password-env P --user2 user2 --password2-env P2
(listchangedsince.capability.unknown-option-bad is recorded from the real scenario).
"""
import re,sys,glob,os
ROOT=os.path.abspath(os.path.join(os.path.dirname(__file__), '../../../..'))
OUT=sys.argv[1]
os.makedirs(OUT, exist_ok=True)
for p in glob.glob(os.path.join(ROOT, 'scenarios/listchangedsince/*.yaml')):
    lines=open(p).read().split('\n')
    out=[];items=[];cur=None;indial=False
    for l in lines:
        if l.startswith('dialogue:'):
            indial=True; out.append(l); continue
        if not indial:
            l=l.replace('LIST-CHANGEDSINCE, ','').replace('requires: [LIST-CHANGEDSINCE]','requires: []')
            out.append(l); continue
        if l.startswith('  - '):
            cur=[l]; items.append(cur)
        elif cur is not None: cur.append(l)
    for it in items:
        h=it[0]
        keep = re.match(r'  - C\d?:',h) or re.match(r'  - note:',h) or \
            (re.match(r"  - S\d?:",h) and ('MODSEQ ($h)' in h or '$d ...' in h))
        if not keep: continue
        if re.match(r'  - C',h):
            h=re.sub(r'LIST \(CHANGEDSINCE \(\$h\)\) ','LIST ',h)
            h=re.sub(r'LIST \(CHANGEDSINCE \(1\)\) ','LIST ',h) if 'nomodseq' in p else h
            h=h.replace('(SUBSCRIBED CHANGEDSINCE ($h))','(SUBSCRIBED)').replace('(CHANGEDSINCE ($h) CHANGEDSINCE ($h))','()').replace('(CHANGEDSINCE ($h) RECURSIVEMATCH)','(RECURSIVEMATCH)')
            h=h.replace('LIST (CHANGEDSINCE ($h)) "" $m* RETURN','LIST "" $m* RETURN')
            it=[h]+[x for x in it[1:] if 'ordered' not in x]
        else:
            it=[h]
        out.extend(it)
        m=re.match(r'  - (C\d?): (\S+) ',it[0])
        if m:
            out.append('  - S%s optional: %s OK|NO|BAD' % (m.group(1)[1:], m.group(2)))
    out=[l for l in out if not l.startswith('level:')]
    open(os.path.join(OUT, os.path.basename(p)),'w').write('\n'.join(out)+'\n')
