# sinian — convenience targets; the real work is in scripts/.
#
#   make run            install missing packages, build, start on 127.0.0.1:8080
#   make test           normal + ASan/UBSan builds, the whole ctest suite in each
#   make build          build/sinian only
#   make fuzz           every libFuzzer target for 60 s (clang, build-fuzz/)
#   make clean          remove build directories
#   make format         clang-format -i the C sources
#   make format-check   fail if any C source is not formatted

FORMAT_FILES = $(wildcard server/*.c server/*.h server/net/*.c server/net/*.h \
                          server/cluster/*.c server/cluster/*.h \
                          media/*.c media/*.h \
                          tests/unit/*.c tests/unit/*.h tests/tools/*.c \
                          bench/*.c bench/*.h)

.PHONY: run test build fuzz clean format format-check

run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	scripts/build.sh

fuzz:
	scripts/deps.sh --fuzz
	scripts/fuzz.sh all 60

clean:
	rm -rf build build-asan build-fuzz

format:
	$(if $(FORMAT_FILES),clang-format -i $(FORMAT_FILES))

format-check:
	$(if $(FORMAT_FILES),clang-format --dry-run --Werror $(FORMAT_FILES))
