#pragma once

// GroupAddresses over the SQLite registry: the questions an allocator asks,
// answered from the addresses_order index (schema step 3) inside the caller's
// write transaction. lowest_unheld() starts its walk where the previous one
// found every address held (alloc_hint), so allocating in a dense group costs
// a few index steps, not a read of the group.

#include <string>

#include "registry/registry.hpp"
#include "registry/sqlite_db.hpp"

namespace vpngw::registry::sqlite {

class StoredGroupAddresses final : public GroupAddresses {
  public:
    StoredGroupAddresses(Db& db, std::string group) : db_(&db), group_(std::move(group)) {}
    Result<std::vector<IpAddress>> all() override;
    Result<bool> held(const IpAddress& address) override;
    Result<std::optional<IpAddress>> lowest_unheld(const IpAddress& from,
                                                   const IpAddress& to) override;

  private:
    Db* db_;
    std::string group_;
};

}  // namespace vpngw::registry::sqlite
