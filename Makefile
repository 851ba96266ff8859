# Every target goes through ./lejek, which installs what is missing first.
PGHOST ?= 127.0.0.1
PGPORT ?= 5432
PGUSER ?= postgres
DEALS ?= 2000

.PHONY: run test test-pg lint bench demo soak

run:  ## migrate, load demo data when empty, serve on http://127.0.0.1:8000
	./lejek run

test:  ## ruff check + the whole suite on SQLite
	./lejek test

test-pg:  ## the whole suite on PostgreSQL, in a throwaway database
	@db=lejek_test_$$$$; \
	pg_isready -h $(PGHOST) -p $(PGPORT) -t 5 >/dev/null \
	  || { echo "PostgreSQL is not reachable at $(PGHOST):$(PGPORT)" >&2; exit 1; }; \
	createdb -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) $$db || exit 1; \
	trap 'dropdb -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) --if-exists --force '$$db EXIT; \
	DATABASE_URL=postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$$db ./lejek test

lint:  ## ruff check, ruff format --check, mypy src
	./lejek lint

bench:  ## benchmarks (figures, not pass/fail)
	./lejek bench

demo:  ## replace the database's data with demo data (DEALS=2000)
	./lejek demo --reset --deals $(DEALS)

soak:  ## five minutes of mixed API load on SQLite, then on PostgreSQL (figures, 0 errors expected)
	LEJEK_LOAD_SECONDS=300 ./lejek test tests/reliability/test_load.py -p no:xdist -s
	@db=lejek_soak_$$$$; \
	createdb -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) $$db || exit 1; \
	trap 'dropdb -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) --if-exists --force '$$db EXIT; \
	LEJEK_LOAD_SECONDS=300 DATABASE_URL=postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$$db \
	  ./lejek test tests/reliability/test_load.py -p no:xdist -s
