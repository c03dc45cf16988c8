# SPDX-License-Identifier: GPL-2.0
# Kbuild has C and assembler rules but none for C++. This one compiles module C++ with the
# kernel's own flags for the object (everything in c_flags that is not a C-only warning or
# dialect: -mcmodel=kernel, -mno-red-zone, no SSE/MMX, retpolines, return thunks, SLS
# hardening, -fcf-protection, stack protector, sanitizers...), writes a real .cmd file
# through fixdep, and runs objtool on the object exactly as on a C object.

GB_CXX := $(CROSS_COMPILE)g++

# g++ rejects these, or warns that they are for C only.
gb-cxx-c-only-flags := -std=gnu11 -std=gnu89 -Wstrict-prototypes -Werror=strict-prototypes \
	-Wno-pointer-sign -Werror=implicit-int -Werror=implicit-function-declaration \
	-Wdeclaration-after-statement -Werror=incompatible-pointer-types \
	-Werror=designated-init -Wmissing-prototypes -Wold-style-definition \
	-Wno-old-style-declaration -Wmissing-parameter-type -Wnested-externs -Wno-override-init

# The freestanding subset: no exceptions (so no .eh_frame), no RTTI, no guarded statics,
# no atexit, no C++ standard library headers.
gb-cxx-flags := -std=gnu++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-use-cxa-atexit -nostdinc++ -ffreestanding -fno-asynchronous-unwind-tables \
	-fno-gnu-unique -fno-reorder-blocks-and-partition

# Why -fno-reorder-blocks-and-partition: objtool finds the parent of a `foo.cold` part by
# its name, and gives up on names over 128 characters, which mangled C++ templates reach.
# Without the hot/cold split there are no .cold parts.

# Not $(LINUXINCLUDE) nor the forced includes of compiler_types.h: C++ sees no Linux header.
gb_cxx_flags = -Wp,-MMD,$(depfile) $(NOSTDINC_FLAGS) \
	$(filter-out $(gb-cxx-c-only-flags),$(_c_flags) $(modkern_cflags)) \
	$(gb-cxx-flags) $(basename_flags) $(modname_flags)

# Templates and inline functions land in COMDAT groups, which `ld -r` deduplicates by
# discarding all but one copy, while objtool's .orc_unwind_ip and .return_sites entries
# (outside the group) still point into the discarded copies: the link fails. Ungrouped,
# each copy stays a weak definition (-fno-gnu-unique keeps it so for inline variables),
# the linker picks one, and every objtool entry stays valid.
quiet_cmd_cxx_o_cpp = CXX $(quiet_modtag) $@
      cmd_cxx_o_cpp = $(GB_CXX) $(gb_cxx_flags) -c -o $@ $< && \
		$(OBJCOPY) --remove-section=.group $@ $(cmd_objtool)

define rule_cxx_o_cpp
	$(call cmd_and_fixdep,cxx_o_cpp)
	$(call cmd,gen_objtooldep)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)

# The KUnit module links its own copies of the module's objects under test: an object
# shared by two modules would get one KBUILD_MODNAME for both.
$(obj)/kunit/under_test/%.o: $(src)/module/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)

$(obj)/kunit/under_test/%.o: $(src)/module/%.c FORCE
	$(call if_changed_rule,cc_o_c)
