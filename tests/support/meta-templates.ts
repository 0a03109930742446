/** An approved template as Meta's template list returns it (header and body with values), for the Meta Graph API stand-in. */
export const ORDER_UPDATE_TEMPLATE = {
  id: "1001",
  name: "order_update",
  language: "en_US",
  status: "APPROVED",
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "TEXT", text: "Order {{1}}" },
    { type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." },
  ],
};
