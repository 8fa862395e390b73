#!/bin/sh
# Writes data/common-passwords.txt: the 10 000 most common passwords, in
# rank order, that sign-up, password changes and resets refuse. Taken once
# from the npm package @zxcvbn-ts/language-common (MIT; its ranked list of
# passwords seen in breaches, from zxcvbn by Dropbox), so that the list is
# not written by hand. Run again only to refresh it: the build reads the
# file in the repository.
set -eu
VERSION=4.1.3
N=10000
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@zxcvbn-ts/language-common@$VERSION" >/dev/null &&
	tar xzf zxcvbn-ts-language-common-$VERSION.tgz)
out="$here/data/common-passwords.txt"
{
	echo "# The $N most common passwords, most common first: refused as passwords."
	echo "# From @zxcvbn-ts/language-common $VERSION (src/passwords.json, MIT:"
	echo "# Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; (c) 2021 @zxcvbn-ts),"
	echo "# made by scripts/common_passwords.sh. Lines starting with # are comments."
	node -e '
		const list = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const seen = new Set();
		for (const p of list) {
			const k = p.toLowerCase();
			if (!k || /[\r\n]/.test(k) || k.startsWith("#") || seen.has(k)) continue;
			seen.add(k);
			console.log(k);
			if (seen.size === Number(process.argv[2])) break;
		}' "$tmp/package/src/passwords.json" "$N"
} >"$out"
echo "wrote $(grep -vc '^#' "$out") passwords to $out"
