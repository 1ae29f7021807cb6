#!/usr/bin/env bash
# Packages both Helm charts as one release, ready for `helm push` to an OCI registry:
#
#   scripts/package-charts.sh VERSION IMAGE_REGISTRY [OUT_DIR]
#   scripts/package-charts.sh 1.2.0 ghcr.io/acme     # artifacts/charts/gomicro-operator-1.2.0.tgz
#                                                    # and artifacts/charts/gomicro-1.2.0.tgz
#
# VERSION (SemVer, without the tag's "v") becomes the version and appVersion of both charts,
# and their default images become the release's: charts/gomicro-operator runs
# IMAGE_REGISTRY/operator:VERSION, and charts/gomicro makes a shop of
# IMAGE_REGISTRY/<service>:VERSION (spec.imageRegistry, spec.version). The working tree is
# not changed: copies are edited, linted (values schemas included), packaged, and what they
# render is checked. The release workflow (.github/workflows/release.yml) runs it. Needs helm
# (scripts/tools.sh fetches one into .deps/tools/bin, searched after PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:$PWD/.deps/tools/bin"

die() { echo "package-charts: $*" >&2; exit 1; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then die "usage: $0 VERSION IMAGE_REGISTRY [OUT_DIR]"; fi
version=$1
registry=${2%/}
out=${3:-artifacts/charts}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] \
  || die "version $version is not SemVer (1.2.3, 1.2.3-rc.1)"
[[ $registry =~ ^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$ ]] \
  || die "image registry $registry is not a lower-case image path such as ghcr.io/acme"
command -v helm >/dev/null || die "helm is not on PATH (scripts/tools.sh fetches one)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R charts/gomicro-operator charts/gomicro "$work/"

# replace_line FILE PATTERN TEXT: the one line matching PATTERN becomes TEXT (a line may hold \n).
replace_line() {
  local file=$1 pattern=$2 text=$3 matches
  matches=$(grep -c -E "$pattern" "$file" || true)
  [ "$matches" = 1 ] || die "$file: expected one line matching '$pattern', found $matches"
  awk -v pattern="$pattern" -v text="$text" '$0 ~ pattern { print text; next } { print }' "$file" >"$file.new"
  mv "$file.new" "$file"
}
replace_line "$work/gomicro-operator/values.yaml" '^  repository: ' "  repository: $registry/operator"
replace_line "$work/gomicro/values.yaml" '^  version: ' "  version: \"$version\"\n  imageRegistry: $registry"

mkdir -p "$out"
for chart in gomicro-operator gomicro; do
  helm lint --quiet "$work/$chart" >/dev/null || { helm lint "$work/$chart" >&2; die "helm lint failed for $chart"; }
  helm package "$work/$chart" --version "$version" --app-version "$version" --destination "$out" >/dev/null
done

# What the packages install by default is this release.
operator_image=$(helm template gomicro-operator "$out/gomicro-operator-$version.tgz" | sed -n 's/^ *image: "\(.*\)"$/\1/p')
[ "$operator_image" = "$registry/operator:$version" ] || die "the operator chart runs $operator_image, not $registry/operator:$version"
shop=$(helm template shop "$out/gomicro-$version.tgz" | tr -d '"')
grep -x "  version: $version" <<<"$shop" >/dev/null || die "the shop chart's spec.version is not $version"
grep -x "  imageRegistry: $registry" <<<"$shop" >/dev/null || die "the shop chart's spec.imageRegistry is not $registry"

echo "package-charts: $out/gomicro-operator-$version.tgz (image $operator_image)"
echo "package-charts: $out/gomicro-$version.tgz (images $registry/<service>:$version)"
