web:
	mkdir -p build/scripts build/runit/web
	ln -f $(BASE)/scripts/30_web.sh build/scripts/
	ln -f $(BASE)/scripts/40_webconf.sh build/scripts/
	ln -f $(BASE)/runit/web/run build/runit/web/
