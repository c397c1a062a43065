-- SPDX-License-Identifier: BSD-3-Clause
--
-- Wireshark/tshark Lua dissector for the part of phalanx CCP frames that
-- CPHA does not know: the extension (version, MAC magic, boot id, send
-- counter), its TLVs (config generation and digest, member info, echo),
-- the state change messages (opcodes 11, 12) and the HMAC tag. The CPHA
-- header and bodies are left to Wireshark's own CPHA dissector, which is
-- called first. Format: docs/PROTOCOL.md, "## CCP".
--
--   tshark -X lua_script:tools/ccp.lua -r capture.pcap -V
--   tshark -X lua_script:tools/ccp.lua -r capture.pcap -Y 'phx_ccp.counter > 10'
--
-- Opcode 10 (state sync) carries the sync body of docs/PROTOCOL.md
-- ("## Sync"), dissected here as protocol phx_sync: the header and every
-- record with its fields. The tag is shown, not verified: that needs the
-- cluster key.

local ccp = Proto("phx_ccp", "phalanx CCP extension")

local ext_version_vals = { [1] = "1" }
local state_vals = {
    [0] = "down", [1] = "initializing", [2] = "standby", [3] = "ready",
    [4] = "active",
}
local reason_vals = {
    [0] = "none", [1] = "activate", [2] = "problem", [3] = "admin",
    [4] = "recover",
}
local verdict_vals = { [1] = "grant", [2] = "refuse" }
local refusal_vals = {
    [0] = "none", [1] = "configuration differs", [2] = "role held",
    [3] = "more interfaces up", [4] = "cannot take over yet",
}
local tlv_vals = {
    [1] = "config", [2] = "member", [3] = "echo", [0x81] = "platform",
}
local pnote_vals = { [0] = "ok", [1] = "init", [2] = "problem" }
local mode_vals = {
    [1] = "ha", [2] = "ls-multicast", [3] = "ls-unicast",
    [4] = "active-active",
}

local f = ccp.fields
f.ext_version = ProtoField.uint8("phx_ccp.ext_version", "Extension version",
    base.DEC, ext_version_vals)
f.mac_magic = ProtoField.uint8("phx_ccp.mac_magic", "MAC magic", base.HEX)
f.ext_len = ProtoField.uint16("phx_ccp.ext_len", "Extension length")
f.reserved = ProtoField.uint32("phx_ccp.reserved", "Reserved", base.HEX)
f.boot_id = ProtoField.uint64("phx_ccp.boot_id", "Boot id", base.HEX)
f.counter = ProtoField.uint64("phx_ccp.counter", "Send counter")
f.tlv_type = ProtoField.uint8("phx_ccp.tlv.type", "TLV type", base.DEC,
    tlv_vals)
f.tlv_len = ProtoField.uint8("phx_ccp.tlv.len", "TLV length")
f.generation = ProtoField.uint64("phx_ccp.config.generation",
    "Configuration generation")
f.digest = ProtoField.bytes("phx_ccp.config.digest", "Configuration digest")
f.priority = ProtoField.uint16("phx_ccp.member.priority", "Priority")
f.ifs_required = ProtoField.uint8("phx_ccp.member.ifs_required",
    "Required interfaces")
f.ifs_up = ProtoField.uint8("phx_ccp.member.ifs_up", "Interfaces up")
f.secured_required = ProtoField.uint8("phx_ccp.member.secured_required",
    "Required secured interfaces")
f.secured_up = ProtoField.uint8("phx_ccp.member.secured_up",
    "Secured interfaces up")
f.mode = ProtoField.uint8("phx_ccp.member.mode", "Cluster mode", base.DEC,
    mode_vals)
f.flags = ProtoField.uint8("phx_ccp.member.flags", "Flags", base.HEX)
f.flag_attention = ProtoField.bool("phx_ccp.member.flags.attention",
    "Active Attention", 8, nil, 0x01)
f.flag_joining = ProtoField.bool("phx_ccp.member.flags.joining", "Joining",
    8, nil, 0x02)
f.flag_synced = ProtoField.bool("phx_ccp.member.flags.synced",
    "Full sync done", 8, nil, 0x04)
f.flag_admin_down = ProtoField.bool("phx_ccp.member.flags.admin_down",
    "Administratively down", 8, nil, 0x08)
f.flag_stopped = ProtoField.bool("phx_ccp.member.flags.stopped",
    "Stopped (cphastop)", 8, nil, 0x10)
f.pnote = ProtoField.uint8("phx_ccp.member.pnote", "Critical devices",
    base.DEC, pnote_vals)
f.member_reserved = ProtoField.uint8("phx_ccp.member.reserved", "Reserved")
f.echo = ProtoField.uint64("phx_ccp.echo", "Echoed counter")
f.workers = ProtoField.uint8("phx_ccp.platform.workers", "Workers")
f.sync_version = ProtoField.uint8("phx_ccp.platform.sync_version",
    "Sync version")
f.sync_mtu = ProtoField.uint16("phx_ccp.platform.sync_mtu", "Sync port MTU")
f.sw_version = ProtoField.string("phx_ccp.platform.version",
    "Software version")
f.cur_state = ProtoField.uint8("phx_ccp.req.cur_state", "Current state",
    base.DEC, state_vals)
f.new_state = ProtoField.uint8("phx_ccp.req.new_state", "Wanted state",
    base.DEC, state_vals)
f.reason = ProtoField.uint16("phx_ccp.req.reason", "Reason", base.DEC,
    reason_vals)
f.req_seq = ProtoField.uint32("phx_ccp.req.seq", "Request number")
f.verdict = ProtoField.uint8("phx_ccp.confirm.verdict", "Verdict", base.DEC,
    verdict_vals)
f.state = ProtoField.uint8("phx_ccp.confirm.state", "Responder state",
    base.DEC, state_vals)
f.refusal = ProtoField.uint16("phx_ccp.confirm.refusal", "Refusal",
    base.DEC, refusal_vals)
f.confirm_seq = ProtoField.uint32("phx_ccp.confirm.seq",
    "Request number answered")
f.tag = ProtoField.bytes("phx_ccp.tag", "HMAC-SHA-256 tag")

-- ---- state sync body (opcode 10) ----

local sync = Proto("phx_sync", "phalanx state sync")

local rec_vals = {
    [1] = "SESS_NEW", [2] = "SESS_UPD", [3] = "SESS_DEL", [4] = "SESS_FULL",
    [16] = "ACK", [17] = "NACK", [18] = "FS_REQ", [19] = "FS_DONE",
    [20] = "FS_BEGIN", [21] = "CFG_REQ", [22] = "CFG_DATA",
}
local tcp_state_vals = {
    [0] = "none", [1] = "SYN_SENT", [2] = "SYN_RECV", [3] = "ESTABLISHED",
    [4] = "FIN_WAIT", [5] = "CLOSE_WAIT", [6] = "LAST_ACK", [7] = "TIME_WAIT",
    [8] = "CLOSE",
}
local tmo_vals = {
    [0] = "tcp_syn", [1] = "tcp_established", [2] = "tcp_end",
    [3] = "tcp_close", [4] = "udp_first", [5] = "udp", [6] = "icmp",
    [7] = "other",
}

local sf = sync.fields
sf.body_len = ProtoField.uint16("phx_sync.body_len", "Body length")
sf.version = ProtoField.uint8("phx_sync.version", "Sync version")
sf.flags = ProtoField.uint8("phx_sync.flags", "Frame flags", base.HEX)
sf.flag_seq = ProtoField.bool("phx_sync.flags.seq", "Sequenced", 8, nil,
    0x01)
sf.seq = ProtoField.uint32("phx_sync.seq", "Sequence number")
sf.n_records = ProtoField.uint16("phx_sync.n_records", "Records")
sf.reserved = ProtoField.uint16("phx_sync.reserved", "Reserved")
sf.rec_type = ProtoField.uint8("phx_sync.rec.type", "Record type", base.DEC,
    rec_vals)
sf.rec_len = ProtoField.uint8("phx_sync.rec.len", "Record length")
sf.proto = ProtoField.uint8("phx_sync.sess.proto", "IP protocol")
sf.state = ProtoField.uint8("phx_sync.sess.state", "State", base.DEC,
    tcp_state_vals)
sf.sflags = ProtoField.uint8("phx_sync.sess.sflags", "Session flags",
    base.HEX)
sf.sf_snat = ProtoField.bool("phx_sync.sess.sflags.snat", "SNAT", 8, nil,
    0x01)
sf.sf_dnat = ProtoField.bool("phx_sync.sess.sflags.dnat", "DNAT", 8, nil,
    0x02)
sf.sf_replied = ProtoField.bool("phx_sync.sess.sflags.replied", "Replied",
    8, nil, 0x04)
sf.sf_window = ProtoField.bool("phx_sync.sess.sflags.window",
    "TCP window follows", 8, nil, 0x08)
sf.tmo_class = ProtoField.uint8("phx_sync.sess.tmo_class", "Timeout class",
    base.DEC, tmo_vals)
sf.src = ProtoField.ipv4("phx_sync.sess.src", "Source address")
sf.dst = ProtoField.ipv4("phx_sync.sess.dst", "Destination address")
sf.sport = ProtoField.uint16("phx_sync.sess.sport", "Source port")
sf.dport = ProtoField.uint16("phx_sync.sess.dport", "Destination port")
sf.nat_ip = ProtoField.ipv4("phx_sync.sess.nat_ip", "NAT address")
sf.nat_port = ProtoField.uint16("phx_sync.sess.nat_port", "NAT port")
sf.rule = ProtoField.uint16("phx_sync.sess.rule", "Rule id")
sf.in_port = ProtoField.uint8("phx_sync.sess.in_port", "Ingress port")
sf.owner = ProtoField.uint8("phx_sync.sess.owner", "Owner member id")
sf.gen = ProtoField.uint32("phx_sync.sess.gen", "Policy generation")
sf.remaining = ProtoField.uint32("phx_sync.sess.remaining_ms",
    "Remaining lifetime (ms)")
sf.win_end = ProtoField.uint32("phx_sync.win.end", "End")
sf.win_maxend = ProtoField.uint32("phx_sync.win.maxend", "Max end")
sf.win_maxwin = ProtoField.uint16("phx_sync.win.maxwin", "Max window")
sf.win_wscale = ProtoField.uint8("phx_sync.win.wscale", "Window scale")
sf.win_flags = ProtoField.uint8("phx_sync.win.flags", "Window flags",
    base.HEX)
sf.pad = ProtoField.uint8("phx_sync.pad", "Zero")
sf.peer = ProtoField.uint8("phx_sync.peer", "Peer member id")
sf.ack_seq = ProtoField.uint32("phx_sync.ack.seq", "ACKed up to")
sf.nack_from = ProtoField.uint32("phx_sync.nack.from", "Missing from")
sf.nack_to = ProtoField.uint32("phx_sync.nack.to", "Missing to")
sf.fs_token = ProtoField.uint32("phx_sync.fs.token", "Full sync token")
sf.fs_status = ProtoField.uint8("phx_sync.fs.status", "Status")
sf.fs_count = ProtoField.uint32("phx_sync.fs.count", "Sessions sent")
sf.cfg_flags = ProtoField.uint8("phx_sync.cfg.flags", "Config flags", base.HEX)
sf.cfg_last = ProtoField.bool("phx_sync.cfg.last", "Last chunk", 8, nil, 0x01)
sf.cfg_token = ProtoField.uint32("phx_sync.cfg.token", "Config token")
sf.cfg_offset = ProtoField.uint32("phx_sync.cfg.offset", "Offset")
sf.cfg_total = ProtoField.uint32("phx_sync.cfg.total", "Total bytes")
sf.cfg_text = ProtoField.string("phx_sync.cfg.text", "Configuration text")

-- Fixed record lengths; sessions: 36, or 60 with the WINDOW flag.
local rec_len = {
    [3] = 16, [16] = 8, [17] = 12, [18] = 8, [19] = 12, [20] = 8,
    [21] = 8,
}

local function dissect_key(tvb, r, v)
    -- v: offset of the source address; ports follow the addresses
    r:add(sf.src, tvb(v, 4))
    r:add(sf.dst, tvb(v + 4, 4))
    r:add(sf.sport, tvb(v + 8, 2))
    r:add(sf.dport, tvb(v + 10, 2))
end

local function dissect_record(tvb, tree, p, rtype, rlen)
    local name = rec_vals[rtype] or "unknown"
    local r = tree:add(sync, tvb(p, rlen), "Record: " .. name)
    r:add(sf.rec_type, tvb(p, 1))
    r:add(sf.rec_len, tvb(p + 1, 1))
    if rtype == 1 or rtype == 2 or rtype == 4 then
        r:add(sf.proto, tvb(p + 2, 1))
        r:add(sf.state, tvb(p + 3, 1))
        local fl = r:add(sf.sflags, tvb(p + 4, 1))
        fl:add(sf.sf_snat, tvb(p + 4, 1))
        fl:add(sf.sf_dnat, tvb(p + 4, 1))
        fl:add(sf.sf_replied, tvb(p + 4, 1))
        fl:add(sf.sf_window, tvb(p + 4, 1))
        r:add(sf.tmo_class, tvb(p + 5, 1))
        dissect_key(tvb, r, p + 6)
        r:add(sf.nat_ip, tvb(p + 18, 4))
        r:add(sf.nat_port, tvb(p + 22, 2))
        r:add(sf.rule, tvb(p + 24, 2))
        r:add(sf.in_port, tvb(p + 26, 1))
        r:add(sf.owner, tvb(p + 27, 1))
        r:add(sf.gen, tvb(p + 28, 4))
        r:add(sf.remaining, tvb(p + 32, 4))
        if rlen == 60 then
            local w = r:add(sync, tvb(p + 36, 24), "TCP window")
            w:add(sf.win_end, tvb(p + 36, 4))
            w:add(sf.win_end, tvb(p + 40, 4))
            w:add(sf.win_maxend, tvb(p + 44, 4))
            w:add(sf.win_maxend, tvb(p + 48, 4))
            w:add(sf.win_maxwin, tvb(p + 52, 2))
            w:add(sf.win_maxwin, tvb(p + 54, 2))
            w:add(sf.win_wscale, tvb(p + 56, 1))
            w:add(sf.win_wscale, tvb(p + 57, 1))
            w:add(sf.win_flags, tvb(p + 58, 1))
            w:add(sf.pad, tvb(p + 59, 1))
        end
    elseif rtype == 3 then
        r:add(sf.proto, tvb(p + 2, 1))
        r:add(sf.pad, tvb(p + 3, 1))
        dissect_key(tvb, r, p + 4)
    elseif rtype == 22 then
        r:add(sf.peer, tvb(p + 2, 1))
        local fl = r:add(sf.cfg_flags, tvb(p + 3, 1))
        fl:add(sf.cfg_last, tvb(p + 3, 1))
        r:add(sf.cfg_token, tvb(p + 4, 4))
        r:add(sf.cfg_offset, tvb(p + 8, 4))
        r:add(sf.cfg_total, tvb(p + 12, 4))
        if rlen > 16 then
            r:add(sf.cfg_text, tvb(p + 16, rlen - 16))
        end
    else
        r:add(sf.peer, tvb(p + 2, 1))
        if rtype == 19 then
            r:add(sf.fs_status, tvb(p + 3, 1))
        else
            r:add(sf.pad, tvb(p + 3, 1))
        end
        if rtype == 16 then
            r:add(sf.ack_seq, tvb(p + 4, 4))
        elseif rtype == 17 then
            r:add(sf.nack_from, tvb(p + 4, 4))
            r:add(sf.nack_to, tvb(p + 8, 4))
        else
            r:add(sf.fs_token, tvb(p + 4, 4))
            if rtype == 19 then
                r:add(sf.fs_count, tvb(p + 8, 4))
            end
        end
    end
end

-- The sync body at tvb[20, 20 + blen).
local function dissect_sync(tvb, pinfo, tree, blen)
    local b = tree:add(sync, tvb(20, blen))
    b:add(sf.body_len, tvb(20, 2))
    b:add(sf.version, tvb(22, 1))
    local fl = b:add(sf.flags, tvb(23, 1))
    fl:add(sf.flag_seq, tvb(23, 1))
    b:add(sf.seq, tvb(24, 4))
    local n = tvb(28, 2):uint()
    b:add(sf.n_records, tvb(28, 2))
    b:add(sf.reserved, tvb(30, 2))
    local p, stop = 32, 20 + blen
    local names = {}
    for i = 1, n do
        if p + 2 > stop then
            b:add_expert_info(PI_MALFORMED, PI_ERROR,
                "fewer records than n_records")
            break
        end
        local rtype = tvb(p, 1):uint()
        local rlen = tvb(p + 1, 1):uint()
        local want = rec_len[rtype]
        if rtype == 1 or rtype == 2 or rtype == 4 then want = rlen end
        if rtype == 22 and rlen >= 16 then want = rlen end
        if rlen < 2 or p + rlen > stop or want ~= rlen or
            ((rtype == 1 or rtype == 2 or rtype == 4) and
             rlen ~= 36 and rlen ~= 60) then
            b:add_expert_info(PI_MALFORMED, PI_ERROR,
                "record " .. i .. ": bad type or length")
            break
        end
        dissect_record(tvb, b, p, rtype, rlen)
        names[#names + 1] = rec_vals[rtype]
        p = p + rlen
    end
    if p ~= stop then
        b:add_expert_info(PI_MALFORMED, PI_ERROR,
            "records do not fill body_len")
    end
    local info = "SYNC"
    if bit.band(tvb(23, 1):uint(), 1) ~= 0 then
        info = info .. " seq=" .. tvb(24, 4):uint()
    end
    pinfo.cols.info:set(info .. " " .. table.concat(names, ","))
end

-- Wireshark's CPHA dissector: the handle registered on port 8116 before
-- this script replaces it (CPHA's handle has no name to look up).
local udp_port = DissectorTable.get("udp.port")
local cpha = udp_port:get_dissector(8116)

local TAG_LEN = 32
local MIN_FRAME = 80

-- Body length of an opcode, or nil when this dissector does not know it.
local function body_len(tvb, opcode)
    if opcode == 1 then
        local n = tvb(20, 2):uint()
        if n < 1 or n > 5 then return nil end
        return 12 + 2 * n
    elseif opcode == 3 or opcode == 4 then
        return 4
    elseif opcode == 11 or opcode == 12 then
        return 8
    elseif opcode == 10 then
        -- the sync body's own first field (header included)
        local n = tvb(20, 2):uint()
        if n < 12 then return nil end
        return n
    end
    return nil
end

local function dissect_tlvs(tvb, tree, off, stop)
    while off + 2 <= stop do
        local ttype = tvb(off, 1):uint()
        local tlen = tvb(off + 1, 1):uint()
        if off + 2 + tlen > stop then
            tree:add_expert_info(PI_MALFORMED, PI_ERROR,
                "TLV runs past the extension")
            return
        end
        local name = tlv_vals[ttype] or
            (ttype >= 0x80 and "unknown optional" or "unknown")
        local t = tree:add(ccp, tvb(off, 2 + tlen), "TLV: " .. name)
        t:add(f.tlv_type, tvb(off, 1))
        t:add(f.tlv_len, tvb(off + 1, 1))
        local v = off + 2
        if ttype == 1 and tlen == 40 then
            t:add(f.generation, tvb(v, 8))
            t:add(f.digest, tvb(v + 8, 32))
        elseif ttype == 2 and tlen == 10 then
            t:add(f.priority, tvb(v, 2))
            t:add(f.ifs_required, tvb(v + 2, 1))
            t:add(f.ifs_up, tvb(v + 3, 1))
            t:add(f.secured_required, tvb(v + 4, 1))
            t:add(f.secured_up, tvb(v + 5, 1))
            t:add(f.mode, tvb(v + 6, 1))
            local fl = t:add(f.flags, tvb(v + 7, 1))
            fl:add(f.flag_attention, tvb(v + 7, 1))
            fl:add(f.flag_joining, tvb(v + 7, 1))
            fl:add(f.flag_synced, tvb(v + 7, 1))
            fl:add(f.flag_admin_down, tvb(v + 7, 1))
            fl:add(f.flag_stopped, tvb(v + 7, 1))
            t:add(f.pnote, tvb(v + 8, 1))
            t:add(f.member_reserved, tvb(v + 9, 1))
        elseif ttype == 3 and tlen == 8 then
            t:add(f.echo, tvb(v, 8))
        elseif ttype == 0x81 and tlen == 20 then
            t:add(f.workers, tvb(v, 1))
            t:add(f.sync_version, tvb(v + 1, 1))
            t:add(f.sync_mtu, tvb(v + 2, 2))
            -- NUL-padded, or all 16 bytes used (no NUL at all)
            local sv = tvb(v + 4, 16):string():match("^[^%z]*")
            t:add(f.sw_version, tvb(v + 4, 16), sv)
        end
        off = v + tlen
    end
    if off ~= stop then
        tree:add_expert_info(PI_MALFORMED, PI_ERROR,
            "half a TLV header at the end of the extension")
    end
end

function ccp.dissector(tvb, pinfo, tree)
    if cpha ~= nil then
        cpha:call(tvb, pinfo, tree)
    end
    local len = tvb:len()
    if len < MIN_FRAME or tvb(0, 2):uint() ~= 0x1a90 then return end
    local opcode = tvb(6, 2):uint()
    local blen = body_len(tvb, opcode)
    if blen == nil then return end
    local ext = 20 + blen
    local tag = len - TAG_LEN
    if ext + 24 > tag then return end

    local t = tree:add(ccp, tvb(20))
    if opcode == 11 then
        local b = t:add(ccp, tvb(20, 8), "State change request")
        b:add(f.cur_state, tvb(20, 1))
        b:add(f.new_state, tvb(21, 1))
        b:add(f.reason, tvb(22, 2))
        b:add(f.req_seq, tvb(24, 4))
        pinfo.cols.info:set("CCP: STATE_REQ")
    elseif opcode == 12 then
        local b = t:add(ccp, tvb(20, 8), "State change confirmation")
        b:add(f.verdict, tvb(20, 1))
        b:add(f.state, tvb(21, 1))
        b:add(f.refusal, tvb(22, 2))
        b:add(f.confirm_seq, tvb(24, 4))
        pinfo.cols.info:set("CCP: STATE_CONFIRM")
    elseif opcode == 10 then
        dissect_sync(tvb, pinfo, t, blen)
    end
    local e = t:add(ccp, tvb(ext, tag - ext), "Extension")
    e:add(f.ext_version, tvb(ext, 1))
    e:add(f.mac_magic, tvb(ext + 1, 1))
    local el = e:add(f.ext_len, tvb(ext + 2, 2))
    if tvb(ext + 2, 2):uint() ~= tag - ext then
        el:add_expert_info(PI_MALFORMED, PI_ERROR,
            "extension length does not reach the tag")
    end
    e:add(f.reserved, tvb(ext + 4, 4))
    e:add(f.boot_id, tvb(ext + 8, 8))
    e:add(f.counter, tvb(ext + 16, 8))
    dissect_tlvs(tvb, e, ext + 24, tag)
    t:add(f.tag, tvb(tag, TAG_LEN))
    pinfo.cols.info:append(" ctr=" .. tostring(tvb(ext + 16, 8):uint64()))
end

udp_port:add(8116, ccp)
