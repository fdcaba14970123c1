package io.scorestream.it.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost}, made with the JDK's {@code keytool} at test
 * time: the broker's PKCS12 key store, and a PKCS12 trust store holding only that certificate.
 */
record TestCertificates(
        Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {

    static TestCertificates create(
            Path directory, String keyStorePassword, String trustStorePassword)
            throws IOException, InterruptedException {
        Path keyStore = directory.resolve("broker.p12");
        Path trustStore = directory.resolve("truststore.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                keyStorePassword,
                "-keypass",
                keyStorePassword);
        // The trust store holds the broker's certificate only: made in-process, no second keytool.
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, keyStorePassword.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("broker", keys.getCertificate("broker"));
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trust.store(out, trustStorePassword.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the trust store", e);
        }
        return new TestCertificates(keyStore, keyStorePassword, trustStore, trustStorePassword);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
