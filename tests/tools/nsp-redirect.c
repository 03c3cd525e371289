// SPDX-License-Identifier: MIT
/*
 * nsp-redirect: load a tc (BPF_PROG_TYPE_SCHED_CLS) program that moves
 * every packet to the peer of a veth with bpf_redirect_peer(), and pin it
 * in a bpffs, for tests of traffic that never passes veth_xmit(). No BPF
 * compiler: the program is four raw instructions.
 *
 *   nsp-redirect peer IFINDEX PIN_PATH
 *       load "r1 = IFINDEX; r2 = 0; call bpf_redirect_peer; exit" and pin
 *       it at PIN_PATH (in a bpffs mount). Attach it with
 *         tc qdisc add dev DEV clsact
 *         tc filter add dev DEV ingress bpf direct-action object-pinned PIN_PATH
 *       Every packet DEV receives then enters the netns of the peer of
 *       IFINDEX (a veth in DEV's netns) at that peer's ingress: the
 *       kernel's skb_do_redirect() (BPF_F_PEER) sets skb->dev to the peer
 *       and hands the skb back to the receive loop, with no veth_xmit()
 *       of IFINDEX. The peer must be up and in another netns, or the
 *       packet is dropped.
 *
 * Exit status: 0 on success, 1 on a bpf() error (the message names the
 * command and errno, then the verifier log), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* include/uapi/linux/bpf.h, ___BPF_FUNC_MAPPER: FN(redirect_peer, 155) */
#define NSP_BPF_FUNC_redirect_peer 155

static char vlog[65536];

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return i;
}

static int load_peer(int ifindex, const char *pin)
{
	struct bpf_insn prog[] = {
		insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, ifindex),
		insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0),
		insn(BPF_JMP | BPF_CALL, 0, 0, 0, NSP_BPF_FUNC_redirect_peer),
		insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = (uintptr_t) "GPL";
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	strncpy(a.prog_name, "nsp_peer", sizeof(a.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		fprintf(stderr, "nsp-redirect: BPF_PROG_LOAD: %s\n%s\n", strerror(errno), vlog);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)pin;
	a.bpf_fd = fd;
	if (sys_bpf(BPF_OBJ_PIN, &a) < 0) {
		fprintf(stderr, "nsp-redirect: BPF_OBJ_PIN %s: %s\n", pin, strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	char *end;
	long ifindex;

	if (argc != 4 || strcmp(argv[1], "peer")) {
		fprintf(stderr, "usage: nsp-redirect peer IFINDEX PIN_PATH\n");
		return 2;
	}
	ifindex = strtol(argv[2], &end, 10);
	if (*end || ifindex <= 0 || ifindex > INT32_MAX) {
		fprintf(stderr, "nsp-redirect: bad ifindex '%s'\n", argv[2]);
		return 2;
	}
	return load_peer((int)ifindex, argv[3]);
}
