base:
	mkdir -p build/scripts build/boot
	ln -f $(BASE)/scripts/00_init.sh build/scripts/
	ln -f $(BASE)/scripts/99_cleanup.sh build/scripts/
	ln -f $(BASE)/boot/start.sh build/boot/
