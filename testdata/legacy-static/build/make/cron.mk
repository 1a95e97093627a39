cron:
	mkdir -p build/scripts build/runit/cron
	ln -f $(BASE)/scripts/20_cron.sh build/scripts/
	ln -f $(BASE)/runit/cron/run build/runit/cron/
