// RDMA memory registration: ibv_reg_mr() (rdma-core's libibverbs, Debian's, linked in with
// its soft-RoCE provider) reaches ib_umem_get(), which pins the range long-term
// (FOLL_LONGTERM, FOLL_WRITE for a locally writable region) until ibv_dereg_mr(). The
// device is soft-RoCE (CONFIG_RDMA_RXE) over a dummy netdev, made here through the RDMA
// netlink interface as `rdma link add rxe0 type rxe netdev dummy0` would make it.
#include <cerrno>
#include <cstring>
#include <infiniband/verbs.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <rdma/rdma_netlink.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "sites/site.h"

namespace gupbench {
namespace {

const char *const rxe_name = "rxe0";
const char *const netdev_name = "dummy0";

void bring_up(const char *netdev)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return; // no INET: soft-RoCE cannot run over it anyway, and says so below
	ifreq ifr{};
	std::strncpy(ifr.ifr_name, netdev, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

void put_string_attribute(std::string &message, unsigned short type, const char *value)
{
	nlattr attribute{};
	attribute.nla_type = type;
	attribute.nla_len = static_cast<unsigned short>(NLA_HDRLEN + std::strlen(value) + 1);
	message.append(reinterpret_cast<const char *>(&attribute), sizeof(attribute));
	message.append(value, std::strlen(value) + 1);
	message.resize(NLMSG_ALIGN(message.size()));
}

// RDMA_NLDEV_CMD_NEWLINK: 0 or the errno the kernel acknowledged with.
int add_rxe_link()
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);
	if (s < 0)
		return errno;
	std::string message(NLMSG_HDRLEN, '\0');
	put_string_attribute(message, RDMA_NLDEV_ATTR_DEV_NAME, rxe_name);
	put_string_attribute(message, RDMA_NLDEV_ATTR_LINK_TYPE, "rxe");
	put_string_attribute(message, RDMA_NLDEV_ATTR_NDEV_NAME, netdev_name);
	auto *header = reinterpret_cast<nlmsghdr *>(message.data());
	header->nlmsg_len = static_cast<unsigned>(message.size());
	header->nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_NEWLINK);
	header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	header->nlmsg_seq = 1;
	sockaddr_nl kernel{};
	kernel.nl_family = AF_NETLINK;
	timeval patience{ 10, 0 }; // the kernel answers at once; never wait forever
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience));
	int result = 0;
	if (sendto(s, message.data(), message.size(), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0) {
		result = errno;
	} else {
		alignas(nlmsghdr) char answer[4096];
		ssize_t n = recv(s, answer, sizeof(answer), 0);
		auto *reply = reinterpret_cast<nlmsghdr *>(answer);
		if (n < 0)
			result = errno;
		else if (n >= static_cast<ssize_t>(NLMSG_HDRLEN + sizeof(nlmsgerr)) && reply->nlmsg_type == NLMSG_ERROR &&
			 reply->nlmsg_seq == header->nlmsg_seq)
			result = -static_cast<nlmsgerr *>(NLMSG_DATA(reply))->error;
		else
			result = EPROTO;
	}
	close(s);
	return result;
}

// The rxe device, made if there is none yet.
ibv_context *open_rxe()
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int count = 0;
		ibv_device **devices = ibv_get_device_list(&count);
		ibv_context *context = nullptr;
		for (int i = 0; devices && i < count && !context; i++) {
			if (std::strncmp(ibv_get_device_name(devices[i]), "rxe", 3) == 0)
				context = ibv_open_device(devices[i]);
		}
		if (devices)
			ibv_free_device_list(devices);
		if (context)
			return context;
		if (attempt > 0)
			break;
		struct stat st;
		const std::string netdev_dir = std::string("/sys/class/net/") + netdev_name;
		if (stat(netdev_dir.c_str(), &st) != 0)
			throw SiteUnavailable(std::string("no ") + netdev_name +
					      " to run soft-RoCE over (the kernel lacks CONFIG_DUMMY built in; a module is not loaded here)");
		bring_up(netdev_name);
		if (int err = add_rxe_link(); err != 0)
			throw SiteUnavailable(std::string("rdma link add ") + rxe_name + " type rxe: " + std::strerror(err) +
					      " (the kernel lacks CONFIG_RDMA_RXE or CONFIG_INFINIBAND_USER_ACCESS built in)");
	}
	throw SiteUnavailable("soft-RoCE device made, but libibverbs does not see it (/dev/infiniband?)");
}

class RdmaSite : public Site {
public:
	RdmaSite() : context_(open_rxe())
	{
		pd_ = ibv_alloc_pd(context_);
		if (!pd_) {
			int error = errno;
			ibv_close_device(context_);
			site_fail("ibv_alloc_pd", error);
		}
	}
	~RdmaSite() override
	{
		if (mr_)
			ibv_dereg_mr(mr_);
		ibv_dealloc_pd(pd_);
		ibv_close_device(context_);
	}
	bool longterm() const override { return true; }
	void hold(unsigned long addr, std::size_t length, bool) override
	{
		mr_ = ibv_reg_mr(pd_, reinterpret_cast<void *>(addr), length,
				 IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
		if (!mr_)
			site_fail("ibv_reg_mr", errno);
	}
	void release() override
	{
		if (!mr_)
			return;
		int err = ibv_dereg_mr(mr_);
		mr_ = nullptr;
		if (err != 0)
			site_fail("ibv_dereg_mr", err);
	}

private:
	ibv_context *context_;
	ibv_pd *pd_ = nullptr;
	ibv_mr *mr_ = nullptr;
};

} // namespace

std::unique_ptr<Site> make_rdma_site()
{
	return std::make_unique<RdmaSite>();
}

} // namespace gupbench
