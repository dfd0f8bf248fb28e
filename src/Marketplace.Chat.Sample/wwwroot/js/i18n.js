// French (default) and English. Server reasons are English; the client translates by their stable code.
const dictionaries = {
  fr: {
    skip: "Aller au contenu",
    brandTagline: "chat acheteur·vendeur par Marketplace.Chat",
    navListings: "Annonces", navOrders: "Mes échanges", navQueue: "Litiges", navStats: "Statistiques",
    signIn: "Se connecter", signOut: "Se déconnecter", language: "Langue",
    conn_connected: "Connecté", conn_connecting: "Connexion…", conn_reconnecting: "Reconnexion…", conn_offline: "Hors ligne",
    conn_offlineHint: "Connexion perdue. Nouvelle tentative automatique…",
    heroTitle: "Achetez en confiance, discutez en privé.",
    heroText: "Chaque commande a son chat privé entre acheteur et vendeur. Il s’ouvre quand le paiement est confirmé, se fige comme preuve si un litige survient, et un administrateur rejoint alors un chat de litige dédié.",
    heroStep1: "Achetez : le chat existe mais reste verrouillé",
    heroStep2: "Payez : il se déverrouille en direct chez les deux parties",
    heroStep3: "Litige : le chat se fige, l’équipe arbitre",
    listingsTitle: "Annonces du moment", soldBy: "Vendu par {name}", buy: "Acheter", yourListing: "Votre annonce",
    signInToBuy: "Connectez-vous pour acheter",
    loginTitle: "Connexion", loginDemoTitle: "Comptes de démonstration", loginDemoText: "Un clic pour entrer avec un compte prêt à l’emploi.",
    loginFormTitle: "Ou avec e-mail et mot de passe", email: "E-mail", password: "Mot de passe",
    loginHint: "Mot de passe des comptes de démo : {password}", loginFailed: "E-mail inconnu ou mot de passe incorrect.",
    kind_buyer: "Acheteur·se", kind_seller: "Vendeur·se", kind_admin: "Administratrice",
    ordersTitle: "Mes échanges", noOrders: "Aucune commande pour l’instant.", browseListings: "Voir les annonces",
    pickConversation: "Choisissez une conversation", pickConversationHint: "Vos commandes et leurs chats apparaissent à gauche.",
    back: "Retour",
    status_PendingPayment: "En attente de paiement", status_Paid: "Payée", status_Completed: "Terminée", status_Cancelled: "Annulée",
    status_Disputed: "Litige en cours", status_Settled: "Réglée par l’équipe",
    youBuy: "Vous achetez à {name}", youSell: "Vous vendez à {name}",
    pay: "Payer {amount}", cancelOrder: "Annuler la commande", markReceived: "J’ai reçu l’article", markShipped: "Marquer comme expédiée", openDispute: "Ouvrir un litige", viewDispute: "Voir le litige",
    confirmCancel: "Annuler cette commande ? Le chat sera fermé.", confirmReceived: "Confirmer la réception ? Le chat passera en lecture seule.",
    disputeDialogTitle: "Ouvrir un litige", disputeReasonLabel: "Que s’est-il passé ?", disputeReasonPlaceholder: "Ex. : l’article reçu ne correspond pas à l’annonce.",
    disputeSubmit: "Ouvrir le litige", cancel: "Annuler", close: "Fermer",
    role_Buyer: "Acheteur", role_Seller: "Vendeur", role_Admin: "Admin", you: "vous",
    online: "en ligne", offline: "hors ligne",
    state_PendingPayment: "Verrouillé", state_Open: "Ouvert", state_Frozen: "Figé", state_Closed: "Lecture seule", state_UnderReview: "En examen", state_Resolved: "Résolu",
    banner_PendingPayment: "Le chat s’ouvrira dès que le paiement sera confirmé.",
    banner_Frozen: "Un litige est ouvert : ce chat est figé et sert de preuve.",
    banner_Closed: "Ce chat est fermé ; l’historique reste consultable.",
    banner_dispute_Open: "Litige ouvert : un administrateur va rejoindre la conversation.",
    banner_dispute_UnderReview: "Un administrateur examine ce litige.",
    banner_dispute_Resolved: "Ce litige est résolu ; le chat est en lecture seule.",
    composerPlaceholder: "Écrire un message…", send: "Envoyer", sending: "Envoi…", retry: "Réessayer", failed: "Non envoyé",
    composerHint: "Entrée pour envoyer · Maj+Entrée pour aller à la ligne",
    readBy: "Lu", delivered: "Envoyé", typing: "{name} écrit…", typingMany: "Plusieurs personnes écrivent…",
    loadOlder: "Messages plus anciens", noMessages: "Aucun message.", edited: "modifié", deleted: "Message supprimé",
    today: "Aujourd’hui", yesterday: "Hier",
    sys_Registered: "Commande passée : le chat s’ouvrira à la confirmation du paiement.",
    sys_PaymentConfirmed: "Paiement confirmé : le chat est ouvert.",
    sys_Completed: "Commande terminée : le chat est en lecture seule.",
    sys_Cancelled: "Commande annulée : le chat est fermé.",
    sys_Refunded: "Paiement remboursé : le chat est fermé.",
    sys_DisputeOpened: "Un litige a été ouvert : ce chat est figé comme preuve.",
    sys_DisputeReopened: "Le litige a été rouvert : ce chat est à nouveau figé.",
    sys_DisputeResolvedClose: "Litige résolu : le chat est fermé.",
    sys_DisputeResolvedResume: "Litige résolu : le chat est rouvert.",
    sys_AdminJoined: "Un administrateur a rejoint le litige.",
    sys_DisputeResolved: "Le litige a été résolu.",
    sys_Reopened: "Le litige a été rouvert.",
    sys_Dispute_DisputeOpened: "Litige ouvert : acheteur, vendeur et équipe de la plateforme peuvent écrire ici. Un administrateur va rejoindre ce chat.",
    err_ChatLocked: "Le chat s’ouvrira dès que le paiement sera confirmé.",
    err_ChatFrozen: "Le chat est figé pendant le litige ; écrivez dans le chat du litige.",
    err_ChatClosed: "Le chat est fermé ; l’historique reste consultable.",
    err_DisputeResolved: "Le litige est résolu ; son chat est en lecture seule.",
    err_ReadOnly: "Vous pouvez lire ce chat, pas y écrire.",
    err_RateLimited: "Doucement ! Trop de messages d’un coup ; réessayez dans un instant.",
    err_MessageTooLong: "Message trop long.", err_MessageEmpty: "Le message est vide.",
    err_ConversationNotAvailable: "Cette conversation n’existe pas ou ne vous concerne pas.",
    err_NotAvailable: "Cette commande n’existe pas ou ne vous concerne pas.",
    err_AuthenticationRequired: "Connectez-vous pour utiliser le chat.",
    err_TransitionRefused: "Cette action n’est pas possible dans l’état actuel.",
    err_AttachmentTooLarge: "Fichier trop volumineux.", err_AttachmentTypeNotAllowed: "Type de fichier non autorisé.",
    err_ImageTooLarge: "Image trop grande.", err_ImageMalformed: "Image illisible ou incomplète.",
    err_Disconnected: "Hors ligne : le message partira dès le retour de la connexion.",
    err_Unknown: "Une erreur est survenue.",
    disputeTitle: "Litige", disputeAbout: "À propos de « {title} »", disputeReason: "Motif", openedBy: "Ouvert par {name}",
    disputeParties: "Participants", disputeChat: "Chat du litige", evidenceTitle: "Preuve : chat de la transaction (figé)",
    evidenceHint: "Lecture seule, tel qu’il était à l’ouverture du litige.",
    exportEvidence: "Exporter les preuves",
    exportEvidenceHint: "Archive signée (journaux, pièces jointes, transcription PDF) à joindre à un litige de paiement.",
    logAsWritten: "Journal tel qu’écrit (originaux, suppressions)", logSystem: "Système", logIntact: "Chaîne intacte : {count} entrées, clé {keys}.",
    logBroken: "Chaîne rompue à l’entrée {sequence} ({damage}).", logEditOf: "modifie #{sequence}", logDeletionOf: "supprime #{sequence}",
    logEditedAt: "modifié le {at}", logDeletedAt: "supprimé le {at}",
    resolveTitle: "Résoudre le litige", outcome_CloseTransaction: "Clore la transaction (remboursement ou versement)", outcome_ResumeTransaction: "Reprendre la transaction (le chat se rouvre)",
    resolutionNote: "Note de décision (facultative)", resolve: "Résoudre", resolvedWith: "Résolu : {outcome}",
    outcomeShort_CloseTransaction: "transaction close", outcomeShort_ResumeTransaction: "transaction reprise",
    assignedTo: "Pris en charge par {name}", unassigned: "Non attribué",
    queueTitle: "File des litiges", queueEmpty: "Aucun litige. Tout va bien !", join: "Rejoindre", openChat: "Ouvrir",
    dispute_open: "Ouvert", dispute_resolved: "Résolu", dispute_new: "Nouveau", dispute_review: "En examen",
    statsTitle: "Statistiques du chat", statsHint: "Compteurs du Meter « Marketplace.Chat » de la bibliothèque, agrégés depuis le démarrage de ce serveur.",
    activeConnections: "Connexions actives", connectionsOpened: "Connexions ouvertes", noMetrics: "Aucune mesure pour l’instant.",
    metric_marketplace_chat_messages_sent: "Messages envoyés, par type", metric_marketplace_chat_transitions: "Transitions de cycle de vie, par déclencheur",
    metric_marketplace_chat_refusals: "Refus, par code",
    metric_marketplace_chat_attachments_stored: "Fichiers acceptés, par type", metric_marketplace_chat_attachments_refused: "Fichiers refusés, par motif",
    metric_marketplace_chat_attachments_swept: "Téléversements inutilisés supprimés", metric_marketplace_chat_notifications_dispatched: "Notifications distribuées",
    payTitle: "Paiement sécurisé", payMerchant: "Marchand", payOrder: "Commande", payAmount: "Montant", payCard: "Carte de test",
    payButton: "Payer {amount}", paySuccess: "Paiement accepté", paySuccessText: "FakePay a prévenu la boutique (webhook signé). Le chat de la commande est ouvert.",
    payBack: "Retour à la conversation", payRedeliver: "Renvoyer le webhook (test d’idempotence)",
    payRedelivered: "Webhook renvoyé : chat modifié = {changed}, commande modifiée = {updated}.", yes: "oui", no: "non",
    payAlready: "Cette commande est déjà payée.", payProviderNote: "Prestataire de paiement fictif : aucun argent réel.",
    notFound: "Page introuvable.", loading: "Chargement…",
    attachmentImage: "Image jointe", attachmentFile: "Fichier joint", attach: "Joindre une image ou un fichier", download: "télécharger", uploading: "Envoi du fichier… {percent} %",
    err_ActiveContentNotAllowed: "Ce fichier contient du contenu actif : refusé.", err_ImageTrailingData: "Image refusée : données cachées après l’image.", err_AttachmentEmpty: "Le fichier est vide.", err_ArchiveNotAllowed: "Archive refusée.", err_TextNotUtf8: "Texte illisible (pas de l’UTF-8).",
    bell: "Notifications", bellEmpty: "Aucune notification.", markAllRead: "Tout marquer comme lu",
    notif_NewTransactionMessage: "Nouveau message", notif_NewDisputeMessage: "Nouveau message dans un litige", notif_ChatUnlocked: "Chat déverrouillé", notif_ChatFrozen: "Chat figé", notif_DisputeOpened: "Litige ouvert", notif_AdminJoined: "Un administrateur a rejoint", notif_DisputeResolved: "Litige résolu", notif_ChatClosed: "Chat fermé",
  },
  en: {
    skip: "Skip to content",
    brandTagline: "buyer·seller chat by Marketplace.Chat",
    navListings: "Listings", navOrders: "My chats", navQueue: "Disputes", navStats: "Statistics",
    signIn: "Sign in", signOut: "Sign out", language: "Language",
    conn_connected: "Connected", conn_connecting: "Connecting…", conn_reconnecting: "Reconnecting…", conn_offline: "Offline",
    conn_offlineHint: "Connection lost. Retrying automatically…",
    heroTitle: "Buy with confidence, talk in private.",
    heroText: "Every order gets a private buyer–seller chat. It opens when payment is confirmed, freezes as evidence if a dispute arises, and an administrator then joins a dedicated dispute chat.",
    heroStep1: "Buy: the chat exists but stays locked",
    heroStep2: "Pay: it unlocks live for both parties",
    heroStep3: "Dispute: the chat freezes, the team arbitrates",
    listingsTitle: "Fresh listings", soldBy: "Sold by {name}", buy: "Buy", yourListing: "Your listing",
    signInToBuy: "Sign in to buy",
    loginTitle: "Sign in", loginDemoTitle: "Demo accounts", loginDemoText: "One click to enter with a ready-made account.",
    loginFormTitle: "Or with e-mail and password", email: "E-mail", password: "Password",
    loginHint: "Demo accounts' password: {password}", loginFailed: "Unknown e-mail address or wrong password.",
    kind_buyer: "Buyer", kind_seller: "Seller", kind_admin: "Administrator",
    ordersTitle: "My chats", noOrders: "No orders yet.", browseListings: "Browse listings",
    pickConversation: "Pick a conversation", pickConversationHint: "Your orders and their chats are listed on the left.",
    back: "Back",
    status_PendingPayment: "Awaiting payment", status_Paid: "Paid", status_Completed: "Completed", status_Cancelled: "Cancelled",
    status_Disputed: "In dispute", status_Settled: "Settled by the team",
    youBuy: "You buy from {name}", youSell: "You sell to {name}",
    pay: "Pay {amount}", cancelOrder: "Cancel order", markReceived: "I received it", markShipped: "Mark as shipped", openDispute: "Open a dispute", viewDispute: "View dispute",
    confirmCancel: "Cancel this order? The chat will close.", confirmReceived: "Confirm receipt? The chat becomes read-only.",
    disputeDialogTitle: "Open a dispute", disputeReasonLabel: "What happened?", disputeReasonPlaceholder: "E.g. the item does not match the listing.",
    disputeSubmit: "Open the dispute", cancel: "Cancel", close: "Close",
    role_Buyer: "Buyer", role_Seller: "Seller", role_Admin: "Admin", you: "you",
    online: "online", offline: "offline",
    state_PendingPayment: "Locked", state_Open: "Open", state_Frozen: "Frozen", state_Closed: "Read-only", state_UnderReview: "Under review", state_Resolved: "Resolved",
    banner_PendingPayment: "The chat opens as soon as payment is confirmed.",
    banner_Frozen: "A dispute is open: this chat is frozen as evidence.",
    banner_Closed: "This chat is closed; its history stays readable.",
    banner_dispute_Open: "Dispute open: an administrator will join the conversation.",
    banner_dispute_UnderReview: "An administrator is reviewing this dispute.",
    banner_dispute_Resolved: "This dispute is resolved; the chat is read-only.",
    composerPlaceholder: "Write a message…", send: "Send", sending: "Sending…", retry: "Retry", failed: "Not sent",
    composerHint: "Enter to send · Shift+Enter for a new line",
    readBy: "Read", delivered: "Sent", typing: "{name} is typing…", typingMany: "Several people are typing…",
    loadOlder: "Older messages", noMessages: "No messages.", edited: "edited", deleted: "Message deleted",
    today: "Today", yesterday: "Yesterday",
    sys_Registered: "Order placed: the chat opens when payment is confirmed.",
    sys_PaymentConfirmed: "Payment confirmed: the chat is open.",
    sys_Completed: "Order complete: the chat is now read-only.",
    sys_Cancelled: "Order cancelled: the chat is closed.",
    sys_Refunded: "Payment refunded: the chat is closed.",
    sys_DisputeOpened: "A dispute was opened: this chat is frozen as evidence.",
    sys_DisputeReopened: "The dispute was reopened: this chat is frozen again.",
    sys_DisputeResolvedClose: "Dispute resolved: the chat is closed.",
    sys_DisputeResolvedResume: "Dispute resolved: the chat is open again.",
    sys_AdminJoined: "An administrator joined the dispute.",
    sys_DisputeResolved: "The dispute was resolved.",
    sys_Reopened: "The dispute was reopened.",
    sys_Dispute_DisputeOpened: "Dispute opened: buyer, seller and the marketplace team can write here. An administrator will join this chat.",
    err_ChatLocked: "The chat opens as soon as payment is confirmed.",
    err_ChatFrozen: "The chat is frozen during the dispute; write in the dispute chat.",
    err_ChatClosed: "The chat is closed; its history stays readable.",
    err_DisputeResolved: "The dispute is resolved; its chat is read-only.",
    err_ReadOnly: "You can read this chat, not write in it.",
    err_RateLimited: "Easy! Too many messages at once; try again in a moment.",
    err_MessageTooLong: "Message too long.", err_MessageEmpty: "The message is empty.",
    err_ConversationNotAvailable: "This conversation does not exist or is not yours.",
    err_NotAvailable: "This order does not exist or is not yours.",
    err_AuthenticationRequired: "Sign in to use the chat.",
    err_TransitionRefused: "This is not possible in the current state.",
    err_AttachmentTooLarge: "File too large.", err_AttachmentTypeNotAllowed: "File type not allowed.",
    err_ImageTooLarge: "Image too large.", err_ImageMalformed: "Unreadable or incomplete image.",
    err_Disconnected: "Offline: the message will be sent when the connection is back.",
    err_Unknown: "Something went wrong.",
    disputeTitle: "Dispute", disputeAbout: "About “{title}”", disputeReason: "Reason", openedBy: "Opened by {name}",
    disputeParties: "Participants", disputeChat: "Dispute chat", evidenceTitle: "Evidence: the transaction chat (frozen)",
    evidenceHint: "Read-only, as it was when the dispute opened.",
    exportEvidence: "Export evidence",
    exportEvidenceHint: "A signed bundle (logs, attachments, PDF transcript) to attach to a payment dispute.",
    logAsWritten: "Log as written (originals, deletions)", logSystem: "System", logIntact: "Chain intact: {count} entries, key {keys}.",
    logBroken: "Chain broken at entry {sequence} ({damage}).", logEditOf: "edits #{sequence}", logDeletionOf: "deletes #{sequence}",
    logEditedAt: "edited {at}", logDeletedAt: "deleted {at}",
    resolveTitle: "Resolve the dispute", outcome_CloseTransaction: "Close the transaction (refund or release)", outcome_ResumeTransaction: "Resume the transaction (the chat reopens)",
    resolutionNote: "Decision note (optional)", resolve: "Resolve", resolvedWith: "Resolved: {outcome}",
    outcomeShort_CloseTransaction: "transaction closed", outcomeShort_ResumeTransaction: "transaction resumed",
    assignedTo: "Handled by {name}", unassigned: "Unassigned",
    queueTitle: "Dispute queue", queueEmpty: "No disputes. All good!", join: "Join", openChat: "Open",
    dispute_open: "Open", dispute_resolved: "Resolved", dispute_new: "New", dispute_review: "Under review",
    statsTitle: "Chat statistics", statsHint: "Counters of the library's “Marketplace.Chat” Meter, added up since this server started.",
    activeConnections: "Active connections", connectionsOpened: "Connections opened", noMetrics: "No measurements yet.",
    metric_marketplace_chat_messages_sent: "Messages sent, by kind", metric_marketplace_chat_transitions: "Lifecycle transitions, by trigger",
    metric_marketplace_chat_refusals: "Refusals, by code",
    metric_marketplace_chat_attachments_stored: "Uploads accepted, by kind", metric_marketplace_chat_attachments_refused: "Uploads refused, by reason",
    metric_marketplace_chat_attachments_swept: "Unused uploads removed", metric_marketplace_chat_notifications_dispatched: "Notifications dispatched",
    payTitle: "Secure payment", payMerchant: "Merchant", payOrder: "Order", payAmount: "Amount", payCard: "Test card",
    payButton: "Pay {amount}", paySuccess: "Payment accepted", paySuccessText: "FakePay notified the shop (signed webhook). The order's chat is open.",
    payBack: "Back to the conversation", payRedeliver: "Re-deliver the webhook (idempotency test)",
    payRedelivered: "Webhook re-delivered: chat changed = {changed}, order changed = {updated}.", yes: "yes", no: "no",
    payAlready: "This order is already paid.", payProviderNote: "Fictional payment provider: no real money.",
    notFound: "Page not found.", loading: "Loading…",
    attachmentImage: "Attached image", attachmentFile: "Attached file", attach: "Attach an image or a file", download: "download", uploading: "Uploading… {percent}%",
    err_ActiveContentNotAllowed: "This file contains active content: refused.", err_ImageTrailingData: "Image refused: hidden data after the image.", err_AttachmentEmpty: "The file is empty.", err_ArchiveNotAllowed: "Archive refused.", err_TextNotUtf8: "Unreadable text (not UTF-8).",
    bell: "Notifications", bellEmpty: "No notifications.", markAllRead: "Mark all as read",
    notif_NewTransactionMessage: "New message", notif_NewDisputeMessage: "New message in a dispute", notif_ChatUnlocked: "Chat unlocked", notif_ChatFrozen: "Chat frozen", notif_DisputeOpened: "Dispute opened", notif_AdminJoined: "An administrator joined", notif_DisputeResolved: "Dispute resolved", notif_ChatClosed: "Chat closed",
  },
};

const listeners = new Set();
let current = localStorage.getItem("lang") ?? "fr";
if (!dictionaries[current]) current = "fr";
document.documentElement.lang = current;

export const lang = () => current;

export function setLang(value) {
  if (!dictionaries[value] || value === current) return;
  current = value;
  localStorage.setItem("lang", value);
  document.documentElement.lang = value;
  listeners.forEach(fn => fn(value));
}

export const onLangChange = fn => { listeners.add(fn); return () => listeners.delete(fn); };

export function t(key, vars = {}) {
  const text = dictionaries[current][key] ?? dictionaries.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

export const has = key => key in dictionaries[current];

export function errorText(code, fallback) {
  return has(`err_${code}`) ? t(`err_${code}`) : (fallback || t("err_Unknown"));
}

export function systemText(message, kind) {
  const code = message.systemCode;
  if (code && has(`sys_${kind}_${code}`)) return t(`sys_${kind}_${code}`);
  return code && has(`sys_${code}`) ? t(`sys_${code}`) : message.text ?? "";
}

const locale = () => (current === "fr" ? "fr-FR" : "en-GB");

export const price = cents => new Intl.NumberFormat(locale(), { style: "currency", currency: "EUR" }).format(cents / 100);

export const time = iso => new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

export function dayLabel(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return t("today");
  if (d.toDateString() === yesterday.toDateString()) return t("yesterday");
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long" }).format(d);
}

export function shortDate(iso) {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString()
    ? time(iso)
    : new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short" }).format(d);
}
