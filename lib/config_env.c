/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks that depend on the machine rather than on the file: does each
 * port's device exist here? A PCI address must be present under
 * /sys/bus/pci/devices, a vdev must name a driver DPDK ships, and an
 * af_packet/af_xdp vdev's iface= must be an interface of this network
 * namespace.
 *
 * Kept apart from phx_config_load() so that a config can be validated on a
 * build host and golden-tested anywhere, and so that the daemon (and
 * `phalanx --check-config`) can run these checks just before EAL probes
 * the devices: EAL's own failure ("EAL: failed to parse device") names
 * neither the file nor the line. Errors carry the device value's location.
 *
 * The driver list is static rather than asked from DPDK because lib/ must
 * not link DPDK (STYLE 3.1); it names the vdev drivers of DPDK 22.11 that a
 * firewall port can sensibly use.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/compiler.h"
#include "lib/config_node.h"

#define PCI_SYSFS "/sys/bus/pci/devices"

/* vdev drivers of DPDK 22.11 usable as a port (eth_af_packet is the old
 * alias of net_af_packet). */
static const char *const vdev_drivers[] = {
	"net_af_packet", "eth_af_packet", "net_af_xdp", "net_pcap", "net_ring",
	"net_memif", "net_tap", "net_tun", "net_null", "net_vhost",
	"net_virtio_user", "net_bonding", "net_failsafe",
};

/* Drivers that attach to a kernel interface named by iface=. */
static const char *const iface_drivers[] = {
	"net_af_packet", "eth_af_packet", "net_af_xdp",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Value of key= among the comma-separated device arguments, into buf.
 * false if absent. */
static bool
devarg(const char *device, const char *key, char *buf, size_t size)
{
	const char *p = strchr(device, ',');
	size_t kl = strlen(key);

	while (p != NULL) {
		p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			snprintf(buf, size, "%.*s", (int)strcspn(p + kl + 1, ","),
				 p + kl + 1);
			return true;
		}
		p = strchr(p, ',');
	}
	return false;
}

/* The vdev driver of a device: its name without the instance number
 * ("net_af_packet0" -> "net_af_packet"). */
static void
vdev_driver(const char *device, char *driver, size_t size)
{
	size_t l;

	phx_cfg_device_key(device, false, driver, size);
	l = strlen(driver);
	while (l > 0 && driver[l - 1] >= '0' && driver[l - 1] <= '9')
		driver[--l] = '\0';
}

/* The kernel interface port attaches to (iface= of an af_packet or
 * af_xdp vdev) into iface; false for any other port. */
static bool
iface_of(const struct phx_cfg_port *port, char *iface, size_t size)
{
	char driver[PHX_CFG_DEVICE_LEN];

	if (port->is_pci || port->vlan != 0)
		return false;
	vdev_driver(port->device, driver, sizeof(driver));
	return in_list(driver, iface_drivers, PHX_DIM(iface_drivers)) &&
	       devarg(port->device, "iface", iface, size) && iface[0] != '\0';
}

static unsigned
check_pci(const struct phx_config *cfg, unsigned i, const char *path,
	  struct phx_cfg_errors *errs)
{
	const struct phx_cfg_port *port = &cfg->ports[i];
	char key[32], sys[sizeof(PCI_SYSFS) + 40];
	struct stat st;

	phx_cfg_device_key(port->device, true, key, sizeof(key));
	snprintf(sys, sizeof(sys), "%s/%s", PCI_SYSFS, key);
	if (stat(sys, &st) == 0)
		return 0;
	phx_cfg_error_add(errs, cfg->path, port->device_loc, path,
			  "no PCI device %s on this machine (not in %s; "
			  "`lspci -D` lists the addresses)", key, PCI_SYSFS);
	return 1;
}

static unsigned
check_vdev(const struct phx_config *cfg, unsigned i, const char *path,
	   struct phx_cfg_errors *errs)
{
	const struct phx_cfg_port *port = &cfg->ports[i];
	char name[PHX_CFG_DEVICE_LEN], driver[PHX_CFG_DEVICE_LEN];
	char iface[PHX_CFG_DEVICE_LEN], q[160];
	char other[PHX_CFG_DEVICE_LEN];
	const char *best = NULL;
	unsigned bestd = 99, k;

	phx_cfg_device_key(port->device, false, name, sizeof(name));
	vdev_driver(port->device, driver, sizeof(driver));

	if (!in_list(driver, vdev_drivers, PHX_DIM(vdev_drivers))) {
		for (k = 0; k < PHX_DIM(vdev_drivers); k++) {
			unsigned d = phx_cfg_edit_distance(driver,
							   vdev_drivers[k]);

			if (d < bestd) {
				bestd = d;
				best = vdev_drivers[k];
			}
		}
		if (best != NULL && bestd <= 2)
			phx_cfg_error_add(errs, cfg->path, port->device_loc,
					  path, "unknown vdev driver %s (of %s; "
					  "did you mean \"%s\"?)",
					  phx_cfg_quote(q, sizeof(q), driver),
					  name, best);
		else
			phx_cfg_error_add(errs, cfg->path, port->device_loc,
					  path, "unknown vdev driver %s (of %s); "
					  "DPDK's port drivers are net_af_packet, "
					  "net_af_xdp, net_pcap, net_ring, "
					  "net_memif, net_tap, net_tun, net_null, "
					  "net_vhost, net_virtio_user, "
					  "net_bonding, net_failsafe",
					  phx_cfg_quote(q, sizeof(q), driver),
					  name);
		return 1;
	}

	if (!in_list(driver, iface_drivers, PHX_DIM(iface_drivers)))
		return 0;
	if (!devarg(port->device, "iface", iface, sizeof(iface)) ||
	    iface[0] == '\0') {
		phx_cfg_error_add(errs, cfg->path, port->device_loc, path,
				  "%s needs iface=<interface>, e.g. "
				  "\"%s,iface=eth0\"", name, name);
		return 1;
	}
	if (strlen(iface) >= IF_NAMESIZE) {
		phx_cfg_error_add(errs, cfg->path, port->device_loc, path,
				  "interface name %s (iface= of %s) is longer "
				  "than %d characters",
				  phx_cfg_quote(q, sizeof(q), iface), name,
				  IF_NAMESIZE - 1);
		return 1;
	}
	if (if_nametoindex(iface) == 0) {
		phx_cfg_error_add(errs, cfg->path, port->device_loc, path,
				  "no such network interface %s (iface= of %s) "
				  "in this network namespace",
				  phx_cfg_quote(q, sizeof(q), iface), name);
		return 1;
	}
	/* Two ports on one interface would both see every frame of it. */
	for (k = 0; k < i; k++) {
		if (!iface_of(&cfg->ports[k], other, sizeof(other)) ||
		    strcmp(other, iface) != 0)
			continue;
		phx_cfg_error_add(errs, cfg->path, port->device_loc, path,
				  "interface %s (iface= of %s) is already the "
				  "interface of ports[%u] (%s): one port per "
				  "interface", phx_cfg_quote(q, sizeof(q), iface),
				  name, k, cfg->ports[k].name);
		return 1;
	}
	return 0;
}

unsigned
phx_config_check_env(const struct phx_config *cfg,
		     struct phx_cfg_errors *errs)
{
	char path[PHX_CFG_STR_LEN];
	unsigned i, n = 0;

	if (cfg == NULL)
		return 0;
	for (i = 0; i < cfg->n_ports; i++) {
		/* a VLAN sub-interface has its parent's device (and its
		 * location): checked once, as the parent's */
		if (cfg->ports[i].vlan != 0)
			continue;
		snprintf(path, sizeof(path), "ports[%u].device", i);
		if (cfg->ports[i].is_pci)
			n += check_pci(cfg, i, path, errs);
		else
			n += check_vdev(cfg, i, path, errs);
	}
	return n;
}
