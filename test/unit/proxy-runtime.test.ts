import { describe, expect, it } from 'vitest';
import { parseLdd } from '../../engine/proxy/proxy-image.js';
import { type AppRoute, otherSlot, type ProxyRoutes, releaseShares, servingRelease } from '../../engine/proxy/routes.js';
import { parseShowStat } from '../../engine/proxy/runtime-api.js';
import { runtimeAnswerFailed, runtimeCommands } from '../../engine/proxy/runtime-commands.js';

describe('runtimeCommands', () => {
  it('serving slots are addressed, weighted and made ready first, then the draining ones, then the parked ones', () => {
    // billing switches from v1.4.0 (a) to v1.5.0 (b); weight runs a canary of v1.5.0 at 10 %;
    // reports is new in v1.5.0 (slot a) and its b slot is empty
    const routes: ProxyRoutes = {
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: {
            a: { release: 'v1.4.0', addr: '172.20.0.3', port: 8080, weight: 0 },
            b: { release: 'v1.5.0', addr: '172.21.0.3', port: 8080, weight: 100 },
          },
        },
        {
          app: 'weight',
          listen: 8002,
          health: '/health',
          slots: {
            a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 90 },
            b: { release: 'v1.5.0', addr: '172.21.0.4', port: 8081, weight: 10 },
          },
        },
        {
          app: 'reports',
          listen: 8003,
          health: '/health',
          slots: { a: { release: 'v1.5.0', addr: '172.21.0.5', port: 3000, weight: 100 } },
        },
      ],
    };
    expect(runtimeCommands(routes)).toEqual([
      'set server billing/b addr 172.21.0.3 port 8080',
      'set weight billing/b 100',
      'set server billing/b state ready',
      'set server weight/a addr 172.20.0.4 port 8080',
      'set weight weight/a 90',
      'set server weight/a state ready',
      'set server weight/b addr 172.21.0.4 port 8081',
      'set weight weight/b 10',
      'set server weight/b state ready',
      'set server reports/a addr 172.21.0.5 port 3000',
      'set weight reports/a 100',
      'set server reports/a state ready',
      'set weight billing/a 0',
      'set server billing/a state drain',
      'set server reports/b state maint',
    ]);
  });

  it('a draining slot keeps its address: only a slot that takes requests is re-addressed', () => {
    const routes: ProxyRoutes = {
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: {
            a: { release: 'v1.5.0', addr: '172.21.0.3', port: 8080, weight: 100 },
            b: { release: 'v1.4.0', addr: '172.20.0.3', port: 8080, weight: 0, warmSince: 1_700_000_000_000 },
          },
        },
      ],
    };
    expect(runtimeCommands(routes)).toEqual([
      'set server billing/a addr 172.21.0.3 port 8080',
      'set weight billing/a 100',
      'set server billing/a state ready',
      'set weight billing/b 0',
      'set server billing/b state drain',
    ]);
  });

  it('routes with every slot empty park them all; no apps, no commands', () => {
    const empty: ProxyRoutes = {
      project: 'green',
      bind: '127.0.0.1',
      apps: [{ app: 'billing', listen: 8001, health: '/health', slots: {} }],
    };
    expect(runtimeCommands(empty)).toEqual(['set server billing/a state maint', 'set server billing/b state maint']);
    expect(runtimeCommands({ project: 'green', bind: '127.0.0.1', apps: [] })).toEqual([]);
  });
});

describe('runtimeAnswerFailed (answers of HAProxy 2.6)', () => {
  it('silence and the address answers are success', () => {
    expect(runtimeAnswerFailed('')).toBe(false);
    expect(runtimeAnswerFailed('\n')).toBe(false);
    expect(
      runtimeAnswerFailed("IP changed from '127.0.0.1' to '172.21.0.3', port changed from '9' to '8080' by 'stats socket command'\n\n"),
    ).toBe(false);
    expect(runtimeAnswerFailed("no need to change the addr, no need to change the port by 'stats socket command'\n\n")).toBe(false);
    expect(runtimeAnswerFailed("no need to change the addr, port changed from '8080' to '8081' by 'stats socket command'\n\n")).toBe(false);
    expect(
      runtimeAnswerFailed("IP changed from '172.21.0.3' to '172.21.0.4', no need to change the port by 'stats socket command'\n\n"),
    ).toBe(false);
  });

  it('anything else the proxy says is a refusal', () => {
    expect(runtimeAnswerFailed('No such backend.\n\n')).toBe(true);
    expect(runtimeAnswerFailed('No such server.\n\n')).toBe(true);
    expect(runtimeAnswerFailed('Absolute weight can only be between 0 and 256 inclusive.\n\n')).toBe(true);
    expect(runtimeAnswerFailed("Invalid addr 'not-an-ip' by 'stats socket command'\n\n")).toBe(true);
    expect(runtimeAnswerFailed("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n")).toBe(true);
    expect(runtimeAnswerFailed('Permission denied\n\n')).toBe(true);
  });
});

/**
 * `show stat` from HAProxy 2.6.12 running greenci's config: billing drained from a (b parked),
 * weight at 90/10 with the canary in b answering some 5xx, and one request in flight on weight/a.
 */
const SHOW_STAT = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,',
  'billing,FRONTEND,,,0,1,9985,37,1959,4179,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,37,0,37,,,,0,32,0,5,0,0,,37,37,37,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,37,37,37,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,37,37,2255,5104,0,0,',
  'billing,a,0,0,0,1,,37,1959,4179,,0,,0,0,0,0,DRAIN,0,1,0,,,0,,,1,3,1,,37,,2,37,,37,,,,0,32,0,5,0,0,,,,37,0,0,,,,,1,,,0,1,3,3,,,,,,,,,,,,127.0.0.1:18101,,http,,,,,,,,0,37,0,,,2,,0,1,26,26,0,2,0,0,1,0,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'billing,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,0,1,0,,,4,,,1,3,2,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:9,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,0,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'billing,BACKEND,0,0,0,1,999,37,1959,4179,0,0,,0,0,0,0,DOWN,0,0,0,,1,0,0,,1,3,0,,37,,1,37,,37,,,,0,32,0,5,0,0,,,,37,0,0,0,0,0,0,1,,,0,1,3,3,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,37,0,0,0,,,0,1,26,26,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,0,37,37,5289,1552,0,0,',
  'weight,FRONTEND,,,1,2,9985,121,6330,13567,0,0,0,,,,,OPEN,,,,,,,,,1,4,0,,,,0,121,0,121,,,,0,99,17,0,4,0,,121,121,121,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,121,121,121,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,121,121,7354,16567,0,0,',
  'weight,a,0,0,1,1,,109,5696,12144,,0,,0,0,0,0,no check,90,1,0,,,4,,,1,5,1,,109,,2,109,,109,,,,0,92,16,0,0,0,,,,108,0,0,,,,,0,,,0,1,1,1,,,,,,,,,,,,127.0.0.1:18102,,http,,,,,,,,0,109,0,,,2,,0,1,11,11,0,2,0,1,1,90,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'weight,b,0,0,0,1,,12,634,1423,,0,,0,0,0,0,no check,10,1,0,,,4,,,1,5,2,,12,,2,12,,12,,,,0,7,1,0,4,0,,,,12,0,0,,,,,0,,,0,1,3,3,,,,,,,,,,,,127.0.0.1:18103,,http,,,,,,,,0,12,0,,,1,,0,1,29,30,0,1,0,0,1,10,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'weight,BACKEND,0,0,1,1,999,121,6330,13567,0,0,,0,0,0,0,UP,100,2,0,,0,4,0,,1,5,0,,121,,1,121,,121,,,,0,99,17,0,4,0,,,,120,0,0,0,0,0,0,0,,,0,1,1,1,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,121,0,0,0,,,0,1,29,30,0,,,,,100,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,1,121,121,17167,5055,0,0,',
  '',
  '',
].join('\n');

describe('parseShowStat', () => {
  it("reads each server's status, weight, answers by class and current sessions; frontends and backend totals are left out", () => {
    expect(parseShowStat(SHOW_STAT)).toEqual([
      { backend: 'billing', server: 'a', status: 'DRAIN', weight: 0, requests: 37, errors5xx: 0, currentSessions: 0 },
      { backend: 'billing', server: 'b', status: 'MAINT', weight: 0, requests: 0, errors5xx: 0, currentSessions: 0 },
      // req_tot says 109: the request still in flight has no answer yet and is not counted
      { backend: 'weight', server: 'a', status: 'no check', weight: 90, requests: 108, errors5xx: 0, currentSessions: 1 },
      { backend: 'weight', server: 'b', status: 'no check', weight: 10, requests: 12, errors5xx: 4, currentSessions: 0 },
    ]);
  });

  it('columns are found by the header, not by position', () => {
    const csv = [
      '# svname,pxname,hrsp_5xx,hrsp_2xx,status,weight,scur',
      'FRONTEND,web,0,0,OPEN,,0',
      'b,web,3,7,UP,25,2',
      'BACKEND,web,3,7,UP,25,2',
    ].join('\n');
    expect(parseShowStat(csv)).toEqual([
      { backend: 'web', server: 'b', status: 'UP', weight: 25, requests: 10, errors5xx: 3, currentSessions: 2 },
    ]);
  });

  it('an empty answer has no servers', () => {
    expect(parseShowStat('')).toEqual([]);
    expect(parseShowStat('\n\n')).toEqual([]);
  });
});

describe('routes', () => {
  const canary: AppRoute = {
    app: 'weight',
    listen: 8002,
    health: '/health',
    slots: {
      a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 25 },
      b: { release: 'v1.5.0', addr: '172.21.0.4', port: 8080, weight: 75 },
    },
  };
  const switched: AppRoute = {
    ...canary,
    slots: {
      a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 0 },
      b: { release: 'v1.5.0', addr: '172.21.0.4', port: 8080, weight: 100 },
    },
  };
  const drainedOnly: AppRoute = { ...canary, slots: { a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 0 } } };

  it('servingRelease: the release with the larger share, whichever slot it is in; none when no slot takes requests', () => {
    expect(servingRelease(canary)).toBe('v1.5.0');
    expect(servingRelease({ ...canary, slots: { a: { ...canary.slots.a!, weight: 90 }, b: { ...canary.slots.b!, weight: 10 } } })).toBe(
      'v1.4.0',
    );
    expect(servingRelease(switched)).toBe('v1.5.0');
    expect(servingRelease(drainedOnly)).toBeUndefined();
    expect(servingRelease({ ...canary, slots: {} })).toBeUndefined();
  });

  it('releaseShares: a canary shows both releases in slot order; a drained release has no share', () => {
    expect(releaseShares(canary)).toEqual([
      { release: 'v1.4.0', weight: 25 },
      { release: 'v1.5.0', weight: 75 },
    ]);
    expect(releaseShares(switched)).toEqual([{ release: 'v1.5.0', weight: 100 }]);
    expect(releaseShares(drainedOnly)).toEqual([]);
  });

  it('otherSlot', () => {
    expect(otherSlot('a')).toBe('b');
    expect(otherSlot('b')).toBe('a');
  });
});

describe('parseLdd', () => {
  it("the libraries of Debian 12's /usr/sbin/haproxy as `ldd` lists them: the loader included, the kernel's vdso left out", () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007f53b7c61000)',
      '\tlibcrypt.so.1 => /lib/x86_64-linux-gnu/libcrypt.so.1 (0x00007f53b7c14000)',
      '\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f53b7757000)',
      '\tlibcrypto.so.3 => /lib/x86_64-linux-gnu/libcrypto.so.3 (0x00007f53b7200000)',
      '\tliblua5.3.so.0 => /lib/x86_64-linux-gnu/liblua5.3.so.0 (0x00007f53b7bd8000)',
      '\tlibsystemd.so.0 => /lib/x86_64-linux-gnu/libsystemd.so.0 (0x00007f53b7130000)',
      '\tlibpcre2-8.so.0 => /lib/x86_64-linux-gnu/libpcre2-8.so.0 (0x00007f53b76bd000)',
      '\tlibopentracing-c-wrapper.so.0 => /lib/x86_64-linux-gnu/libopentracing-c-wrapper.so.0 (0x00007f53b7bc0000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f53b6f4e000)',
      '\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f53b6e6e000)',
      '\tlibcap.so.2 => /lib/x86_64-linux-gnu/libcap.so.2 (0x00007f53b76b1000)',
      '\tlibgcrypt.so.20 => /lib/x86_64-linux-gnu/libgcrypt.so.20 (0x00007f53b6d27000)',
      '\tliblzma.so.5 => /lib/x86_64-linux-gnu/liblzma.so.5 (0x00007f53b6cf8000)',
      '\tlibzstd.so.1 => /lib/x86_64-linux-gnu/libzstd.so.1 (0x00007f53b6c3c000)',
      '\tliblz4.so.1 => /lib/x86_64-linux-gnu/liblz4.so.1 (0x00007f53b768b000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f53b7c63000)',
      '\tlibopentracing.so.1 => /lib/x86_64-linux-gnu/libopentracing.so.1 (0x00007f53b7bb5000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f53b6a00000)',
      '\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f53b6c1c000)',
      '\tlibgpg-error.so.0 => /lib/x86_64-linux-gnu/libgpg-error.so.0 (0x00007f53b69d8000)',
      '',
    ].join('\n');
    expect(parseLdd(out)).toEqual([
      '/lib/x86_64-linux-gnu/libcrypt.so.1',
      '/lib/x86_64-linux-gnu/libssl.so.3',
      '/lib/x86_64-linux-gnu/libcrypto.so.3',
      '/lib/x86_64-linux-gnu/liblua5.3.so.0',
      '/lib/x86_64-linux-gnu/libsystemd.so.0',
      '/lib/x86_64-linux-gnu/libpcre2-8.so.0',
      '/lib/x86_64-linux-gnu/libopentracing-c-wrapper.so.0',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/x86_64-linux-gnu/libm.so.6',
      '/lib/x86_64-linux-gnu/libcap.so.2',
      '/lib/x86_64-linux-gnu/libgcrypt.so.20',
      '/lib/x86_64-linux-gnu/liblzma.so.5',
      '/lib/x86_64-linux-gnu/libzstd.so.1',
      '/lib/x86_64-linux-gnu/liblz4.so.1',
      '/lib64/ld-linux-x86-64.so.2',
      '/lib/x86_64-linux-gnu/libopentracing.so.1',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libgcc_s.so.1',
      '/lib/x86_64-linux-gnu/libgpg-error.so.0',
    ]);
  });

  it('a library listed twice is copied once; a static binary links nothing', () => {
    const twice = [
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0000000000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0000000000)',
    ];
    expect(parseLdd(twice.join('\n'))).toEqual(['/lib/x86_64-linux-gnu/libc.so.6']);
    expect(parseLdd('\tnot a dynamic executable\n')).toEqual([]);
  });
});
