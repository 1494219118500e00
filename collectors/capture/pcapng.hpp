#pragma once
// Reads UDP datagrams out of a pcapng capture (RFC draft "PCAP Next Generation"): sections of
// either byte order, several interfaces with their own link types and timestamp resolutions,
// enhanced, simple and obsolete packet blocks. Pure: bytes in, datagrams out.
#include <string_view>
#include <vector>

#include "collectors/capture/pcap.hpp"
#include "core/result.hpp"

namespace talaia::collectors::capture {

// Every UDP datagram of the capture, in capture order. Blocks of other types are skipped; a
// block whose length runs past the end of the file ends the read with an error.
core::result<std::vector<udp_datagram>> read_pcapng_udp(std::string_view file_bytes);

}  // namespace talaia::collectors::capture
