# libseawall: native shared + static library, the arm64 static library,
# and its installation.  Included from the top-level Makefile.

LIB_VERSION   := 0.1.0
LIB_SONAME    := libseawall.so.0
LIB_SRCS      := util ledger sigq notify sea kvm journal ctx region isolate event
LIB_HDRS      := include/seawall.h include/seawall/kvm.h
LIB_DEPS_H    := $(LIB_HDRS) lib/internal.h

# The architecture seam: arm64 vCPU code on arm64, the -EOPNOTSUPP stubs
# elsewhere.  Common code never tests the architecture.
LIB_NATIVE_ARCH := $(if $(filter aarch64-% arm64-%,$(shell $(CC) -dumpmachine 2>/dev/null)),arm64,generic)

LIB_CFLAGS = $(CSTD) $(WARN) $(WERROR) $(OPT) -fPIC -fvisibility=hidden -pthread \
             -D_GNU_SOURCE -Iinclude -Ilib

LIB_NATIVE_OBJS := $(addprefix $(NATIVE)/lib/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(NATIVE)/lib/arch/$(LIB_NATIVE_ARCH)/vcpu.o
LIB_ASAN_OBJS   := $(addprefix $(NATIVE)/lib-asan/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(NATIVE)/lib-asan/arch/$(LIB_NATIVE_ARCH)/vcpu.o
LIB_ARM64_OBJS  := $(addprefix $(ARM64)/lib/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(ARM64)/lib/arch/arm64/vcpu.o

SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: lib lib-arm64 lib-asan install install-lib

lib: $(NATIVE)/lib/libseawall.a $(NATIVE)/lib/libseawall.so.$(LIB_VERSION) \
     $(NATIVE)/lib/libseawall.pc

lib-arm64: $(ARM64)/lib/libseawall.a

lib-asan: $(NATIVE)/lib-asan/libseawall.a

$(NATIVE)/lib/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(NATIVE)/lib-asan/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(SANITIZE) -c -o $@ $<

$(ARM64)/lib/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(ACC) $(LIB_CFLAGS) -c -o $@ $<

$(NATIVE)/lib/libseawall.a: $(LIB_NATIVE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(NATIVE)/lib-asan/libseawall.a: $(LIB_ASAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ARM64)/lib/libseawall.a: $(LIB_ARM64_OBJS)
	@rm -f $@
	$(AAR) rcs $@ $^

$(NATIVE)/lib/libseawall.so.$(LIB_VERSION): $(LIB_NATIVE_OBJS) lib/libseawall.map
	$(CC) -shared -pthread -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/libseawall.map \
		-Wl,-z,defs -o $@ $(LIB_NATIVE_OBJS)
	ln -sf libseawall.so.$(LIB_VERSION) $(NATIVE)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(NATIVE)/lib/libseawall.so

$(NATIVE)/lib/libseawall.pc: lib/libseawall.pc.in lib/lib.mk
	@mkdir -p $(dir $@)
	sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(prefix)/lib|' \
	    -e 's|@includedir@|$(prefix)/include|' -e 's|@version@|$(LIB_VERSION)|' $< > $@

MAN3_PAGES := $(wildcard man/man3/*.3)

install: install-lib

install-lib: lib
	install -d $(DESTDIR)$(prefix)/include/seawall $(DESTDIR)$(prefix)/lib/pkgconfig \
		$(DESTDIR)$(prefix)/share/man/man3 $(DESTDIR)$(prefix)/share/man/man7
	install -m 644 include/seawall.h $(DESTDIR)$(prefix)/include/seawall.h
	install -m 644 include/seawall/kvm.h $(DESTDIR)$(prefix)/include/seawall/kvm.h
	install -m 644 $(NATIVE)/lib/libseawall.a $(DESTDIR)$(prefix)/lib/
	install -m 755 $(NATIVE)/lib/libseawall.so.$(LIB_VERSION) $(DESTDIR)$(prefix)/lib/
	ln -sf libseawall.so.$(LIB_VERSION) $(DESTDIR)$(prefix)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(prefix)/lib/libseawall.so
	sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(prefix)/lib|' \
	    -e 's|@includedir@|$(prefix)/include|' -e 's|@version@|$(LIB_VERSION)|' \
	    lib/libseawall.pc.in > $(DESTDIR)$(prefix)/lib/pkgconfig/libseawall.pc
	$(if $(MAN3_PAGES),install -m 644 $(MAN3_PAGES) $(DESTDIR)$(prefix)/share/man/man3/)
	$(if $(wildcard man/man7/seawall.7),install -m 644 man/man7/seawall.7 $(DESTDIR)$(prefix)/share/man/man7/)
