#!/usr/bin/env bash
# A throwaway certificate authority and a broker certificate for a local SASL_SSL listener,
# made with keytool (part of the JDK that runs the broker anyway):
#
#   deploy/kafka/make-certs.sh OUT_DIR
#
# writes into OUT_DIR
#   ca.crt         the CA certificate (PEM): clients trust it (KHABAR_SSL_CAFILE), and so does the broker
#   broker.p12     the broker's key and certificate (PKCS12), signed by the CA, for localhost and 127.0.0.1
#   store.password the password of broker.p12 (random)
# The CA's own key is deleted at the end: nothing else can ever be signed with it.
set -euo pipefail

out=${1:?usage: make-certs.sh OUT_DIR}
days=${KHABAR_CERT_DAYS:-30}
mkdir -p "$out"
cd "$out"
umask 077
rm -f ca.p12 ca.crt broker.p12 broker.csr broker.crt store.password
head -c 18 /dev/urandom | base64 | tr '+/' '-_' > store.password
pass=$(cat store.password)
# keytool is a short-lived JVM: the quick compiler alone and the serial GC halve each call's start-up
kt() { keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -storetype PKCS12 -storepass "$pass" "$@"; }

kt -genkeypair -keystore ca.p12 -alias ca -dname "CN=Khabar throwaway local CA" \
   -keyalg EC -groupname secp256r1 -validity "$days" -ext bc:c
kt -exportcert -keystore ca.p12 -alias ca -rfc -file ca.crt

kt -genkeypair -keystore broker.p12 -alias broker -dname "CN=localhost" \
   -keyalg EC -groupname secp256r1 -validity "$days"
kt -certreq -keystore broker.p12 -alias broker -file broker.csr
kt -gencert -keystore ca.p12 -alias ca -infile broker.csr -outfile broker.crt -rfc -validity "$days" \
   -ext SAN=dns:localhost,ip:127.0.0.1 -ext KU=digitalSignature -ext EKU=serverAuth
kt -importcert -keystore broker.p12 -alias ca -file ca.crt -noprompt
kt -importcert -keystore broker.p12 -alias broker -file broker.crt -noprompt

rm -f ca.p12 broker.csr broker.crt
