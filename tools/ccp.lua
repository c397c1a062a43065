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
-- Opcode 10 (state sync) is not handled here. The tag is shown, not
-- verified: that needs the cluster key.

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
    [3] = "more interfaces up",
}
local tlv_vals = { [1] = "config", [2] = "member", [3] = "echo" }
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
f.pnote = ProtoField.uint8("phx_ccp.member.pnote", "Critical devices",
    base.DEC, pnote_vals)
f.member_reserved = ProtoField.uint8("phx_ccp.member.reserved", "Reserved")
f.echo = ProtoField.uint64("phx_ccp.echo", "Echoed counter")
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
            t:add(f.pnote, tvb(v + 8, 1))
            t:add(f.member_reserved, tvb(v + 9, 1))
        elseif ttype == 3 and tlen == 8 then
            t:add(f.echo, tvb(v, 8))
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
